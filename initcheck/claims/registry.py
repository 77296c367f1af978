"""All theory claims, in the chapter's order, and running them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from .. import validate
from ..errors import expected
from ..progress import Progress
from ..reproducer import reproducer
from . import exploding, problems, symmetry, vanishing, variance
from .base import Claim, Context, Outcome

__all__ = ["CLAIMS", "VERIFY_ALPHA", "ClaimResult", "VerifyReport", "run_claims", "select", "verify"]

#: family-wise false-alarm probability of one ``initcheck verify`` run, shared
#: equally (Bonferroni) by its statistical claims
VERIFY_ALPHA = 1e-6

CLAIMS: tuple[Claim, ...] = (
    exploding.CLAIMS
    + vanishing.CLAIMS
    + symmetry.CLAIMS[:2]
    + variance.CLAIMS
    + symmetry.CLAIMS[2:]
    + problems.CLAIMS
)


@dataclass(frozen=True)
class ClaimResult:
    """A claim, its outcome, and the seed and α it was checked with: a report of one claim."""

    claim: Claim
    outcome: Outcome
    seed: int
    alpha: float
    seconds: float

    @property
    def passed(self) -> bool:
        """Whether the claim holds."""
        return self.outcome.passed

    @property
    def reproducer(self) -> str:
        """The command that checks this claim again."""
        return reproducer("verify", only=[self.claim.id], seed=self.seed)

    def summary(self) -> str:
        """One line: the claim, its verdict, and its headline measurement."""
        verdict = "holds" if self.passed else "FAILS"
        head = f": {self.outcome.measurements[0]}" if self.outcome.measurements else ""
        return f"{self.claim.id} {verdict}{head} (n = {self.outcome.n:,}, seed {self.seed})"

    def sentences(self) -> list[str]:
        """One sentence if the claim fails, with every measurement and the reproducer."""
        if self.passed:
            return []
        measured = "; ".join(str(m) for m in self.outcome.measurements)
        return [f"{self.claim.id}: {self.claim.statement} does not hold: {measured}; {self.outcome.note} "
                f"re-run: {self.reproducer}"]

    def to_dict(self) -> dict[str, Any]:
        """The claim's result as JSON-ready data (one entry of ``initcheck verify --json``)."""
        c, o = self.claim, self.outcome
        return {"id": c.id, "statement": c.statement, "section": c.section, "kind": c.kind,
                "passed": o.passed, "holds": o.passed, "n": o.n,
                "alpha": self.alpha if c.kind == "statistical" else None, "test": o.note, "tested_in": c.tests,
                "reproducer": self.reproducer,
                "measurements": {m.name: {"value": m.value, "ci": list(m.ci) if m.ci else None,
                                          "expected": m.expected} for m in o.measurements}}


@dataclass(frozen=True)
class VerifyReport:
    """One ``initcheck verify`` run: every claim checked, and which fail.

    Attributes:
        results: every claim's :class:`ClaimResult`, in the chapter's order.
        seed: the seed of the run.
        alpha: the family-wise α shared by the statistical claims.
        only: the ids or prefixes selected (None: every claim).
    """

    results: tuple[ClaimResult, ...]
    seed: int
    alpha: float = VERIFY_ALPHA
    only: tuple[str, ...] | None = None

    @property
    def findings(self) -> tuple[ClaimResult, ...]:
        """The claims that do not hold."""
        return tuple(r for r in self.results if not r.passed)

    @property
    def passed(self) -> bool:
        """Whether every claim checked holds."""
        return not self.findings

    @property
    def reproducer(self) -> str:
        """The command that re-runs this verification."""
        return reproducer("verify", only=list(self.only) if self.only else None, seed=self.seed)

    def summary(self) -> str:
        """One line: how many claims hold, at which seed and α."""
        failing = f" Failing: {', '.join(r.claim.id for r in self.findings)}." if self.findings else ""
        total = sum(r.seconds for r in self.results)
        return (f"{len(self.results) - len(self.findings)} of {len(self.results)} claims hold (seed {self.seed}, "
                f"family-wise α = {self.alpha:g} over the statistical claims, {total:.1f} s).{failing}")

    def sentences(self) -> list[str]:
        """One sentence per failing claim."""
        return [s for r in self.findings for s in r.sentences()]

    def to_dict(self) -> dict[str, Any]:
        """The run as JSON-ready data (what ``initcheck verify --json`` prints)."""
        return {"command": "verify", "seed": self.seed, "family_alpha": self.alpha,
                "statistical_claims": sum(c.kind == "statistical" for c in CLAIMS),
                "passed": self.passed, "holds": self.passed, "reproducer": self.reproducer,
                "claims": [r.to_dict() for r in self.results],
                "timings_seconds": {r.claim.id: round(r.seconds, 3) for r in self.results}}


def select(ids: list[str] | None) -> tuple[Claim, ...]:
    """The claims whose id is in ``ids``, or starts with one of them followed by '.'; all if None.

    Raises:
        UsageError: an id that names no claim.
    """
    if not ids:
        return CLAIMS
    chosen = []
    for want in ids:
        hits = [c for c in CLAIMS if c.id == want or c.id.startswith(want + ".")]
        if not hits:
            raise expected("--only", want, f"a claim id or prefix, one of {', '.join(c.id for c in CLAIMS)}")
        chosen += [c for c in hits if c not in chosen]
    return tuple(chosen)


def run_claims(claims: tuple[Claim, ...], *, seed: int = 0, alpha: float = VERIFY_ALPHA,
               progress: bool = True) -> list[ClaimResult]:
    """Check ``claims``; statistical ones share ``alpha`` equally.

    The share is fixed by the whole registry, not by the selection, so a claim
    is checked the same way whether run alone or with the others.
    """
    share = alpha / sum(c.kind == "statistical" for c in CLAIMS)
    results = []
    with Progress(len(claims), "verify", force=False) as bar:
        if not progress:
            bar.enabled = False
        for claim in claims:
            bar.step(claim.id)
            start = time.perf_counter()
            outcome = claim.check(Context(seed=seed, alpha=share))
            results.append(ClaimResult(claim, outcome, seed, share, time.perf_counter() - start))
            bar.advance()
    return results


def verify(only: list[str] | None = None, *, seed: int = 0, progress: bool = True) -> VerifyReport:
    """Check the claims ``only`` names (every claim if None): what ``initcheck verify`` does.

    >>> report = verify(["vanishing.sigmoid-gradient"], progress=False)
    >>> report.passed, report.reproducer
    (True, 'initcheck verify --only vanishing.sigmoid-gradient --seed 0')
    """
    results = run_claims(select(only), seed=validate.seed(seed), progress=progress)
    return VerifyReport(tuple(results), seed, VERIFY_ALPHA, tuple(only) if only else None)
