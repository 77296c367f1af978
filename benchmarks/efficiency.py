"""Sample efficiency: the draws of the default verdict against the fewest any single test needs.

For each law family and each error class of the verdict, a row: the values
the default ``check()`` draws (read from ``Report.n`` and ``Report.shapes``),
the minimum of the best fixed-sample test for that error at power 0.999 and
alpha = 1e-6 (closed forms in :mod:`benchmarks.minimum`), what the verdict's
own test for that error would need at its Bonferroni share of alpha, and the
expected draws of a sequential version (Wald's SPRT, or a support check that
stops at the first value out of bounds). Laws are standardized (draw counts do
not depend on scale): normal sigma = 1, uniform a = 1, truncated normal with
parent sd 1 cut at ±2 (Keras ``variance_scaling``), orthogonal counted in
matrices.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scipy import stats

from initcheck import check, init, planning
from initcheck import stats as st

from . import minimum as mn
from .tables import count, markdown_table, ratio

__all__ = [
    "FAMILIES",
    "Row",
    "decomposition",
    "default_reports",
    "draws_table",
    "rows",
    "rows_table",
    "sequential_table",
]

TOL = 0.02  # the verdict's default tolerance: the error sizes of the rows
FAMILIES: dict[str, tuple[Callable[..., Any], str]] = {
    "normal": (init.xavier_normal(), "xavier_normal"),
    "uniform": (init.xavier_uniform(), "xavier_uniform"),
    "truncated normal": (init.variance_scaling(), "variance_scaling"),
    "orthogonal": (init.orthogonal(), "orthogonal"),
}
TESTS_PER_SHAPE = getattr(planning, "TESTS_PER_SHAPE", 20)  # the verdict's planning share: alpha / (this · shapes)
MAX_CALLS = getattr(planning, "MAX_CALLS", None)
CONTAMINATION = 1e-5  # fraction of values multiplied by a factor in the "beyond the support" rows


@dataclass
class Row:
    family: str
    error: str
    best: str  # the best fixed-sample test we derive, and whether its n is exact or approximate
    n_min: int  # its draws at power 0.999, alpha = 1e-6
    verdict_test: str
    n_share: int  # what the verdict's own test needs per shape, at its alpha share
    per_shape: int  # median draws of the default verdict per shape
    total: int  # draws of the default verdict in all
    power: float  # the default verdict's power against the error: 1 - prod over shapes (1 - power there)
    seq: tuple[float, float] | None  # sequential design: (E[N | H0], E[N | H1]) for one test at alpha
    seq_how: str = ""
    p_out: float | None = None  # a support row: the chance per value of a value beyond the support

    @property
    def met(self) -> bool:
        """The goal: power ≥ 0.999 with at most 1.5× the minimum's draws."""
        return self.power >= mn.POWER and self.total <= 1.5 * self.n_min


def default_reports(progress: Callable[[str], None], design: str = "fixed") -> dict[str, Any]:
    """One default verdict per family on a correct reference sampler (seed 0), with ``design``."""
    out = {}
    for family, (sampler, claim) in FAMILIES.items():
        progress(f"  default verdict ({design}): {claim}")
        out[family] = check(sampler, claim, design=design)
    return out


def shares(reports: dict[str, Any]) -> dict[str, float]:
    """alpha's share per test that the verdict plans with: alpha / (TESTS_PER_SHAPE · shapes)."""
    return {f: r.alpha / (TESTS_PER_SHAPE * len(r.shapes)) for f, r in reports.items()}


def draws_table(by_design: dict[str, dict[str, Any]]) -> str:
    """Per family, per shape, the two designs' draws side by side (``by_design[design][family]``)."""
    fixed, seq = by_design["fixed"], by_design["sequential"]
    rows = []

    def power(x: float | None) -> str:
        return "—" if x is None else f"{x:.4f}"

    for family, r in fixed.items():
        q = seq[family]
        at = {tuple(s.shape): s for s in q.shapes}
        for s in r.shapes:
            t = at.get(tuple(s.shape))
            rows.append(
                [
                    family,
                    "×".join(map(str, s.shape)),
                    s.law,
                    count(s.planned),
                    count(s.draws),
                    count(s.n),
                    power(s.power_variance),
                    "—" if t is None else count(t.draws),
                    "—" if t is None else count(t.n),
                    "—" if t is None else f"{t.n / s.n:.2f}",
                    "—" if t is None else t.stop,
                    "—" if t is None or t.tolerance is None else f"{t.tolerance:.3g}",
                    "—" if t is None else power(t.power_variance),
                    "—" if t is None else power(t.power_mean),
                ]
            )
        rows.append(
            [
                f"**{family}: all**",
                f"{len(r.shapes)} shapes",
                f"{len(r.results)} / {len(q.results)} tests",
                "",
                f"**{count(sum(s.draws for s in r.shapes))}**",
                f"**{count(r.n)}**",
                "",
                f"**{count(sum(s.draws for s in q.shapes))}**",
                f"**{count(q.n)}**",
                f"**{q.n / r.n:.2f}**",
                "",
                "",
                "",
                "",
            ]
        )
    return markdown_table(
        [
            "family",
            "shape",
            "law",
            "planned values",
            "fixed: calls",
            "fixed: values",
            "fixed: power var ±2%",
            "sequential: calls",
            "sequential: values",
            "seq / fixed values",
            "sequential: stop",
            "sequential: tolerance",
            "sequential: power var",
            "sequential: power mean",
        ],
        rows,
    )


def _abs(law):
    return mn.abs_cdf(law)


def _narrow(law0, law1, alpha=mn.ALPHA) -> int:
    g0, g0_inv = _abs(law0)
    g1, _ = _abs(law1)
    return mn.narrow_max_n(g0, g0_inv, g1, alpha)


def _narrow_power(law0, law1, alpha):
    g0, g0_inv = _abs(law0)
    g1, _ = _abs(law1)
    return lambda n: mn.narrow_max_power(n, g0, g0_inv, g1, alpha)


def _outside(p):
    return lambda n: mn.outside_power(n, p)


def _ends(law0, law1, alpha):
    return lambda n: mn.two_ends_power(n, law0, law1, alpha)


def _seq_narrow(law0, law1, half: float) -> tuple[float, float]:
    """SPRT of claimed law0 against law1 living in |x| ≤ half: H1 by Wald with KL(law1 || law0);
    H0 stops at the first value beyond ``half`` (the likelihood ratio drops to 0)."""
    mu = float(law0.mean())
    kl = mn.kl_divergence(law1, law0, mu - half, mu + half)
    _, n1 = mn.sprt_asn(-1.0, kl)
    return 1.0 / float(2 * law0.sf(mu + half)), n1


def _seq_outside(p: float) -> tuple[float, float]:
    """A support check that stops at the first value out of bounds, truncated at the fixed n:
    E[N | H1] = (1 - (1 - p)^n)/p; under H0 it runs to n."""
    n = mn.outside_n(p)
    return float(n), -math.expm1(n * math.log1p(-p)) / p


def _entry_ks_power(share: float) -> Callable[[int], float]:
    """The verdict's Haar entry test when one fixed entry always has the same sign: its KS
    distance is then ≥ 1/2, and it rejects once 2 · P(D_k ≥ 1/2) ≤ share (two entries, Bonferroni)."""
    return lambda k: 1.0 if k >= 2 and 2 * float(stats.kstwo.sf(0.5, k)) <= share else 0.0


def rows(reports: dict[str, Any]) -> list[Row]:
    """Every (family, error) row."""
    sh = shares(reports)
    sizes = {f: [s.n for s in r.shapes] for f, r in reports.items()}
    sizes["orthogonal"] = [s.draws for s in reports["orthogonal"].shapes]  # counted in matrices
    out: list[Row] = []

    def add(family, error, best, n_min, vtest, vpower, seq=None, how="", p_out=None):
        ns = sizes[family]
        miss = math.prod(1.0 - min(1.0, vpower(n)) for n in ns)
        out.append(
            Row(
                family,
                error,
                best,
                n_min,
                vtest,
                mn.smallest_n(vpower, mn.POWER),
                int(statistics.median(ns)),
                sum(ns),
                1.0 - miss,
                seq,
                how,
                p_out,
            )
        )

    exact_support = "support check (exact: no false alarm, any α)"
    sprt = "SPRT (Wald)"
    stop = "stop at the first value out of bounds"

    # normal, sigma = 1
    f, s = "normal", sh["normal"]
    norm = stats.norm()
    for d in (TOL, -TOL):
        add(
            f,
            f"variance {d:+.0%}".replace("-", "−"),
            "χ² test, known mean (exact)",
            mn.chi2_variance_n(d),
            "variance (Pearson III = χ²)",
            lambda n, d=d: st.power_variance(n, d, s, kurtosis=3.0),
            mn.sprt_normal_variance(d),
            sprt + ", two one-sided at α/2",
        )
    add(
        f,
        "mean +0.02σ",
        "z-test (exact)",
        mn.z_mean_n(TOL),
        "mean (z)",
        lambda n: st.power_mean(n, TOL, s),
        mn.sprt_normal_mean(TOL),
        sprt + ", two one-sided at α/2",
    )
    r3 = math.sqrt(3)
    uni = stats.uniform(-r3, 2 * r3)
    add(
        f,
        "wrong family: uniform, same variance",
        f"max|x| too small (exact); kurtosis test: {mn.kurtosis_n(norm, uni):,} (asymptotic)",
        _narrow(norm, uni),
        "extremes (exact law of max|x|), one side at share/2",
        _narrow_power(norm, uni, s / 2),
        _seq_narrow(norm, uni, r3),
        sprt + f"; H0: {stop} (±√3σ)",
    )
    sd_t = float(stats.truncnorm(-2, 2).std())
    trunc = stats.truncnorm(-2, 2, scale=1 / sd_t)
    add(
        f,
        "wrong family: truncated at ±2σ_parent, same variance",
        f"max|x| too small (exact); kurtosis test: {mn.kurtosis_n(norm, trunc):,} (asymptotic)",
        _narrow(norm, trunc),
        "extremes, one side at share/2",
        _narrow_power(norm, trunc, s / 2),
        _seq_narrow(norm, trunc, 2 / sd_t),
        sprt + f"; H0: {stop} (±{2 / sd_t:.3g}σ)",
    )
    add(
        f,
        f"outliers: {CONTAMINATION:g} of values × 10",
        "max|x| too large (exact law of the max)",
        mn.outlier_max_n(CONTAMINATION, 10),
        "extremes, one side at share/2",
        lambda n: mn.outlier_max_power(n, CONTAMINATION, 10, s / 2),
    )

    # uniform U(-1, 1)
    f, s = "uniform", sh["uniform"]
    u = stats.uniform(-1, 2)
    p = 1 - 1 / math.sqrt(1 + TOL)
    add(
        f,
        "variance +2% (support ±1.01a)",
        exact_support,
        mn.outside_n(p),
        "support",
        _outside(p),
        _seq_outside(p),
        stop,
        p,
    )
    c = 1 / math.sqrt(1 + TOL)
    uc = stats.uniform(-c, 2 * c)
    add(
        f,
        "variance −2% (support ±0.990a)",
        "max|x| too small (exact)",
        _narrow(u, uc),
        "bound reach, both ends (Bonferroni)",
        _ends(u, uc, s),
        _seq_narrow(u, uc, c),
        sprt + f"; H0: {stop} (±{c:.3g}a)",
    )
    p = TOL / r3 / 2
    add(
        f,
        "mean +0.02σ",
        f"{exact_support}; z-test: {mn.z_mean_n(TOL):,}",
        mn.outside_n(p),
        "support",
        _outside(p),
        _seq_outside(p),
        stop,
        p,
    )
    p = float(2 * stats.norm.sf(r3))
    add(
        f,
        "wrong family: normal, same variance",
        exact_support,
        mn.outside_n(p),
        "support",
        _outside(p),
        _seq_outside(p),
        stop,
        p,
    )
    u97 = stats.uniform(-0.97, 1.94)
    add(
        f,
        "support U(−0.97a, 0.97a)",
        "max|x| too small (exact)",
        _narrow(u, u97),
        "bound reach, both ends (Bonferroni)",
        _ends(u, u97, s),
        _seq_narrow(u, u97, 0.97),
        sprt + f"; H0: {stop} (±0.97a)",
    )
    p = CONTAMINATION * (1 - 1 / 1.5)
    add(
        f,
        f"beyond the support: {CONTAMINATION:g} of values × 1.5",
        exact_support,
        mn.outside_n(p),
        "support",
        _outside(p),
        _seq_outside(p),
        stop,
        p,
    )

    # truncated normal, parent sd 1, cut at ±2 (Keras variance_scaling)
    f, s = "truncated normal", sh["truncated normal"]
    t = stats.truncnorm(-2, 2)
    g = math.sqrt(1 + TOL)
    p = float(2 * t.sf(2 / g))
    add(
        f, "variance +2% (scale × 1.01)", exact_support, mn.outside_n(p), "support", _outside(p), _seq_outside(p),
        stop, p,
    )
    tc = stats.truncnorm(-2, 2, scale=1 / g)
    add(
        f,
        "variance −2% (scale × 0.990)",
        "max|x| too small (exact)",
        _narrow(t, tc),
        "bound reach, both ends (Bonferroni)",
        _ends(t, tc, s),
        _seq_narrow(t, tc, 2 / g),
        sprt + f"; H0: {stop}",
    )
    p = float(t.sf(2 - TOL * sd_t))
    add(
        f,
        "mean +0.02σ",
        f"{exact_support}; z-test: {mn.z_mean_n(TOL):,}",
        mn.outside_n(p),
        "support",
        _outside(p),
        _seq_outside(p),
        stop,
        p,
    )
    p = float(2 * stats.norm.sf(2 / sd_t))
    add(
        f,
        "wrong family: untruncated normal, same variance",
        exact_support,
        mn.outside_n(p),
        "support",
        _outside(p),
        _seq_outside(p),
        stop,
        p,
    )
    t97 = stats.truncnorm(-1.94, 1.94)
    add(
        f,
        "support: cut at ±0.97·2σ_parent",
        "max|x| too small (exact)",
        _narrow(t, t97),
        "bound reach, both ends (Bonferroni)",
        _ends(t, t97, s),
        _seq_narrow(t, t97, 1.94),
        sprt + f"; H0: {stop}",
    )
    p = CONTAMINATION * float(2 * t.sf(2 / 1.5))
    add(
        f,
        f"beyond the support: {CONTAMINATION:g} of values × 1.5",
        exact_support,
        mn.outside_n(p),
        "support",
        _outside(p),
        _seq_outside(p),
        stop,
        p,
    )

    # orthogonal, in matrices
    f, s = "orthogonal", sh["orthogonal"]
    exact = "orthogonality of one matrix (exact)"
    for error in ("gain² +2% (variance)", "mean +0.02σ on every entry", "wrong family: Gaussian matrix"):
        add(f, error, exact, 1, "haar-orthogonal (every matrix)", lambda k: 1.0, (1.0, 1.0), "the first matrix decides")
    beta = 1 - mn.POWER
    ln_a, ln_b = math.log(mn.POWER / (mn.ALPHA / 2)), math.log(beta / (1 - mn.ALPHA / 2))
    seq = (3.0, (mn.POWER * ln_a + beta * ln_b) / math.log(2))
    add(
        f,
        "not Haar: QR without sign fix (q11 always < 0; square: det always (−1)^(n−1))",
        "sign of q11 (or of det), binomial (exact)",
        mn.sign_n(),
        "haar-entry (KS on 2 entries, D ≥ 1/2); haar-det needs a square shape, none by default",
        _entry_ks_power(s),
        seq,
        "SPRT on the sign; H0 stops at the first change",
    )
    return out


def _unit(r: Row) -> str:
    return " matrices" if r.family == "orthogonal" else ""


def rows_table(rs: list[Row]) -> str:
    """Each row: the minimum, the verdict's own test at its share, the verdict's draws, its power, the goal."""
    body = []
    for r in rs:
        power = "1" if r.power == 1.0 else (f"{r.power:.6f}" if r.power > 0.9999 else f"{r.power:.4f}")
        if r.met:
            goal = "✓"
        elif r.power < mn.POWER:
            goal = f"✗ power {r.power:.4f}"
        else:
            goal = f"✗ {r.total / r.n_min:,.1f}×"
        body.append(
            [
                r.family,
                r.error,
                r.best,
                count(r.n_min) + _unit(r),
                r.verdict_test,
                count(r.n_share),
                count(r.per_shape),
                ratio(r.per_shape / r.n_min),
                count(r.total),
                ratio(r.total / r.n_min),
                power,
                goal,
            ]
        )
    return markdown_table(
        [
            "family",
            "error",
            "best fixed-sample test",
            "min n (α = 1e-6, power 0.999)",
            "verdict's test",
            "its n per shape at its α share",
            "verdict's n per shape (median)",
            "per shape / min",
            "verdict's n in all",
            "all / min",
            "verdict's power",
            "≤ 1.5× min at power ≥ 0.999",
        ],
        body,
    )


def sequential_table(rs: list[Row], measured: dict[tuple[str, str, str], Any] | None = None) -> str:
    """Each row with a sequential design: expected draws under H1 (error present) and H0 (correct),
    and beside them, if ``measured``, the sequential verdict's median values per shape tested."""
    from .classes import CORRECT, median_shape_values

    body = []
    for r in rs:
        if r.seq is None:
            continue
        row = [
            r.family,
            r.error,
            count(r.n_min) + _unit(r),
            count(r.seq[1]),
            ratio(r.seq[1] / r.n_min),
            count(r.seq[0]),
            ratio(r.seq[0] / r.n_min),
            r.seq_how,
        ]
        if measured is not None:
            q, c = measured[(r.family, r.error, "sequential")], measured[(r.family, CORRECT, "sequential")]
            if r.family == "orthogonal":
                row += ["— (matrices: see the calls above)", "—"]
            else:
                row += [count(median_shape_values(q)), count(median_shape_values(c))]
        body.append(row)
    header = [
        "family",
        "error",
        "fixed-sample min",
        "sequential E[N | error]",
        "/ min",
        "sequential E[N | correct]",
        "/ min",
        "design (Wald's approximations)",
    ]
    if measured is not None:
        header += ["measured: sequential verdict, values per shape (median), error", "… correct sampler"]
    return markdown_table(header, body)


def decomposition(reports: dict[str, Any]) -> tuple[str, dict[str, float]]:
    """Why the normal verdict draws more than one χ² test: the factors, multiplied out."""
    r = reports["normal"]
    s = shares(reports)["normal"]
    n_min = mn.chi2_variance_n(TOL)
    n_alpha = st.plan_variance_n(TOL, r.alpha, mn.POWER, kurtosis=3.0)
    n_share = st.plan_variance_n(TOL, s, mn.POWER, kurtosis=3.0)
    planned = r.shapes[0].planned
    per_shape = [x.n / planned for x in r.shapes]
    facts = {
        "n_min": n_min,
        "n_alpha": n_alpha,
        "n_share": n_share,
        "planned": planned,
        "share": s,
        "k_tests": TESTS_PER_SHAPE,
        "shapes": len(r.shapes),
        "total": r.n,
        "z_alpha": float(stats.norm.isf(r.alpha / 2)),
        "z_share": float(stats.norm.isf(s / 2)),
    }
    rows_ = [
        ["one χ² test at α = 1e-6 (exact)", count(n_min), "1×", "the minimum"],
        [
            "the verdict's planner at α = 1e-6 (normal approximation with the (1+d) sd)",
            count(n_alpha),
            ratio(n_alpha / n_min),
            "planning formula vs exact χ²: negligible",
        ],
        [
            f"… at its Bonferroni share α/({TESTS_PER_SHAPE}·{len(r.shapes)}) = {s:.3g}",
            count(n_share),
            ratio(n_share / n_min),
            f"z_(share/2) = {facts['z_share']:.2f} vs z_(α/2) = {facts['z_alpha']:.2f}",
        ],
        ["planned = max(variance plan, mean plan)", count(planned), ratio(planned / n_min), "variance dominates"],
        [
            f"drawn per shape: whole draws, ≥ 2 calls, ≤ {MAX_CALLS} calls",
            ", ".join(f"{x:.2f}" for x in per_shape),
            "× planned",
            "the tiny shape is capped; the large one rounds up",
        ],
        [
            f"{len(r.shapes)} shapes, each planned to power 0.999 on its own",
            count(r.n),
            ratio(r.n / n_min),
            "the total",
        ],
    ]
    return markdown_table(["step", "values", "× minimum", "why"], rows_), facts


# --- measured: both designs over seeds (benchmarks.classes) ----------------------------

VALUES_GOAL = {"normal": 0.3, "uniform": 0.1, "truncated normal": 0.1}  # sequential / fixed values, correct sampler
CALLS_GOAL = 0.3  # sequential / fixed sampler calls, correct sampler


@dataclass
class Correct:
    family: str
    fixed_values: float
    seq_values: float
    seq_range: tuple[int, int]
    fixed_calls: float
    seq_calls: float
    seeds: tuple[int, int]  # verdicts: fixed, sequential
    false_alarms: tuple[int, int]

    @property
    def values_ratio(self) -> float:
        return self.seq_values / self.fixed_values

    @property
    def calls_ratio(self) -> float:
        return self.seq_calls / self.fixed_calls

    @property
    def values_met(self) -> bool | None:
        goal = VALUES_GOAL.get(self.family)
        return None if goal is None else self.values_ratio <= goal

    @property
    def calls_met(self) -> bool:
        return self.calls_ratio <= CALLS_GOAL


def correct(measured: dict[tuple[str, str, str], Any]) -> list[Correct]:
    """Per family, the correct sampler's median values and calls under both designs."""
    from .classes import CORRECT, median_calls, median_values

    out = []
    for family in FAMILIES:
        f, q = measured[(family, CORRECT, "fixed")], measured[(family, CORRECT, "sequential")]
        out.append(Correct(family, median_values(f), median_values(q), (min(q.ns), max(q.ns)), median_calls(f),
                           median_calls(q), (f.runs, q.runs), (f.failed, q.failed)))
    return out


def _mark(ok: bool | None) -> str:
    return "—" if ok is None else ("✓" if ok else "✗")


def correct_table(cs: list[Correct]) -> str:
    body = [
        [
            c.family,
            f"{c.seeds[0]} / {c.seeds[1]}",
            count(c.fixed_values),
            f"{count(c.seq_values)} ({count(c.seq_range[0])}–{count(c.seq_range[1])})",
            f"{c.values_ratio:.3f}×",
            "—" if c.family not in VALUES_GOAL else f"≤ {VALUES_GOAL[c.family]:g}× {_mark(c.values_met)}",
            count(c.fixed_calls),
            count(c.seq_calls),
            f"{c.calls_ratio:.3f}×",
            f"≤ {CALLS_GOAL:g}× {_mark(c.calls_met)}",
            f"{c.false_alarms[0]} / {c.false_alarms[1]}",
        ]
        for c in cs
    ]
    return markdown_table(
        [
            "family",
            "verdicts (fixed / sequential)",
            "fixed: values",
            "sequential: values, median (min–max)",
            "values seq/fixed",
            "goal",
            "fixed: calls",
            "sequential: calls (median)",
            "calls seq/fixed",
            "goal",
            "false alarms (fixed / sequential)",
        ],
        body,
    )


@dataclass
class Measured:
    row: Row
    fixed: Any  # Outcome
    seq: Any  # Outcome
    seq_power: float | None  # closed form at the sequential design's median values (support rows)

    @property
    def fixed_power(self) -> float | None:
        """The fixed design's closed-form power at its measured median values (support rows), else the row's."""
        if self.row.p_out is None:
            return self.row.power
        return _outside_power(self.row.p_out, statistics.median(self.fixed.ns))

    @property
    def kept(self) -> bool:
        """The sequential design caught every planted error in its verdicts, and where the power has a
        closed form it is no lower than the fixed design's (or at least 0.999)."""
        closed = self.seq_power is None or self.seq_power >= min(self.fixed_power or 0.0, mn.POWER)
        return self.seq.failed == self.seq.runs and closed


def _outside_power(p: float, n: float) -> float:
    return -math.expm1(n * math.log1p(-p))


def measured_rows(rs: list[Row], measured: dict[tuple[str, str, str], Any]) -> list[Measured]:
    """Each row of the efficiency table with both designs' measured outcomes."""
    from .classes import median_values

    out = []
    for r in rs:
        f, q = measured[(r.family, r.error, "fixed")], measured[(r.family, r.error, "sequential")]
        sp = None if r.p_out is None else _outside_power(r.p_out, median_values(q))
        out.append(Measured(r, f, q, sp))
    return out


def _rate(o: Any) -> str:
    from .montecarlo import clopper_pearson

    low, high = clopper_pearson(o.failed, o.runs)
    return f"{o.failed}/{o.runs} [{low:.2g}, {high:.2g}]"


def _p(x: float | None) -> str:
    if x is None:
        return "—"
    return "1" if x == 1.0 else (f"{x:.6f}" if x > 0.9999 else f"{x:.4f}")


def measured_table(ms: list[Measured]) -> str:
    from .classes import median_calls, median_values

    body = []
    for m in ms:
        r, f, q = m.row, m.fixed, m.seq
        fv, qv = median_values(f), median_values(q)
        checks = ", ".join(f"{c} {k}" for c, k in q.checks.most_common(3)) or "—"
        body.append(
            [
                r.family,
                r.error,
                count(r.n_min) + _unit(r),
                count(fv),
                count(qv),
                f"{qv / fv:.3f}×",
                ratio(qv / r.n_min) if r.family != "orthogonal" else ratio(median_calls(q) / r.n_min),
                count(median_calls(f)),
                count(median_calls(q)),
                f"{median_calls(q) / median_calls(f):.3f}×",
                _rate(f),
                _rate(q),
                _p(m.fixed_power),
                _p(m.seq_power),
                checks,
            ]
        )
    return markdown_table(
        [
            "family",
            "error",
            "min n (one test)",
            "fixed: values (median)",
            "sequential: values (median)",
            "values seq/fixed",
            "sequential / min",
            "fixed: calls",
            "sequential: calls",
            "calls seq/fixed",
            "fixed: caught [95% CP]",
            "sequential: caught [95% CP]",
            "fixed: power (closed form)",
            "sequential: power (closed form at its values)",
            "sequential: rejecting checks (verdicts)",
        ],
        body,
    )
