"""All theory claims, in the chapter's order, and running them."""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..errors import expected
from ..progress import Progress
from . import exploding, problems, symmetry, vanishing, variance
from .base import Claim, Context, Outcome

__all__ = ["CLAIMS", "VERIFY_ALPHA", "ClaimResult", "run_claims", "select"]

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
    """A claim, its outcome, and the seed and α it was checked with."""

    claim: Claim
    outcome: Outcome
    seed: int
    alpha: float
    seconds: float


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


def run_claims(claims: tuple[Claim, ...], *, seed: int = 0, alpha: float = VERIFY_ALPHA, progress: bool = True) -> list[ClaimResult]:
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
