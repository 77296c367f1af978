"""The audit: build a model under several seeds, one build at a time, and judge every parameter.

Each build (:mod:`initcheck.auditing.target`) yields the parameters one by one; each is seen in
the torch layout (:class:`~initcheck.auditing.model.ParamLayout`), its padding rows set apart,
and handed to:

* its :class:`~initcheck.identification.core.DrawSummary` (what law it follows);
* each rule that applies (:mod:`initcheck.auditing.rules`): a verdict of the same engine as
  ``check``, its design fed one build at a time (:class:`~initcheck.auditing.feed.Feed`), or,
  for ``fixed``, a comparison of the builds' bytes;
* the cross-parameter checks of the first build (:mod:`initcheck.auditing.findings`).

Nothing of a build is kept once the next starts: the summaries, the designs' tests and the
fingerprints are bounded. The number of builds: ``seeds`` if given, else at least
``MIN_BUILDS`` and on while a rule's sequential test still asks for draws, up to
``MAX_BUILDS``.

Family-wise error: the rules' verdicts (one per parameter and block) and their pooled tests
share ``alpha`` by Bonferroni; each verdict is a Holm family as in ``check``. The pooled
test of a rule matching several parameters standardizes each value by its parameter's law,
``z = (x - μ)/σ``, over the first build, and tests ``E[z] = 0`` and ``E[z²] = 1`` with the
sums' closed-form spread (``Var Σ z² = Σ n_p (κ_p - 1)``, κ_p the law's kurtosis): a common
small error that each parameter alone is too small to show.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from .. import validate
from ..defaults import DEFAULT_DESIGN, DEFAULT_SEED, DEFAULT_TOLERANCE
from ..designs import design as design_named
from ..errors import UsageError, expected
from ..identification.core import DrawSummary
from ..laws import Law
from ..planning import plan_verdict
from ..stats import kurtosis as law_kurtosis
from ..verdict import verdict_of
from .feed import Feed
from .findings import CONFIRM, Finding, Prefix, repeated_blocks, repeated_draws
from .model import ModelFault, ModelSource, Parameter, ParamLayout, keras_layout, torch_layout
from .naming import name_law
from .report import AuditReport, ParameterAudit, RuleVerdict
from .rules import Rule, applicable, load_rules, parse_rules
from .target import model_source

__all__ = ["DEFAULT_AUDIT_ALPHA", "MAX_BUILDS", "MIN_BUILDS", "assert_model_conforms", "audit", "build_seeds"]

DEFAULT_AUDIT_ALPHA = 1e-6
MIN_BUILDS = 3  # builds at least (without --seeds): identical builds tell a fixed parameter
MAX_BUILDS = 20  # builds at most while a sequential test asks for more
SAMPLE = 1 << 15  # values per parameter kept for the family tests and the kurtosis
AUDIT_STREAM = 0xA0D1


def build_seeds(seed: int, count: int) -> list[int]:
    """The seeds of the first ``count`` builds of an audit with ``seed`` (32-bit, distinct)."""
    state = np.random.SeedSequence([seed, AUDIT_STREAM]).generate_state(count * 2, dtype=np.uint32)
    out: list[int] = []
    for s in state.tolist():
        if s not in out:
            out.append(int(s))
    return out[:count]


def _layout(p: Parameter, rule: Rule | None, rank: int) -> ParamLayout | None:
    if rank < 2:
        return None
    if rule is not None and rule.layout is not None:
        if rule.layout == "keras":
            return keras_layout(rank, "(*k, in, out), by the rule")
        return torch_layout("(out, in, *k), by the rule")
    if rule is not None and rule.block is not None and any(isinstance(i, int) for i in rule.block.index):
        return torch_layout("(out, in, *k): a block of lower rank")
    return p.layout if p.layout is not None else torch_layout("(out, in, *k)")


def _canonical(a: np.ndarray, layout: ParamLayout | None) -> np.ndarray:
    return a if layout is None else layout.canonical(a)


@dataclass
class _Slot:
    """One rule's verdict on one parameter (block) in the making."""

    rule: Rule
    layout: ParamLayout | None
    shape: tuple[int, ...] = ()
    law: Law | None = None
    plan: Any = None
    feed: Feed | None = None
    digest: bytes | None = None
    changed: int | None = None  # the first build whose bytes differ from the first's (fixed)
    error: str = ""

    def block(self, a: np.ndarray) -> np.ndarray:
        return a if self.rule.block is None else self.rule.block.of(a)


@dataclass
class _Pool:
    """A rule's pooled standardized sums over the first build."""

    n: int = 0
    s1: float = 0.0
    s2: float = 0.0
    v4: float = 0.0
    names: list[str] = field(default_factory=list)


@dataclass
class _State:
    info: Parameter
    summary: DrawSummary | None
    slots: list[_Slot]
    padding_bad: int | None = None
    drawn: bool = True


class _Audit:
    def __init__(self, source: ModelSource, rules: Sequence[Rule], *, seed: int, alpha: float, tolerance: float,
                 design: str, seeds: int | None, progress: Callable[[str], None] | None) -> None:
        self.source, self.rules, self.seed, self.alpha = source, list(rules), seed, alpha
        self.tolerance, self.design, self.fixed_builds, self.progress = tolerance, design_named(design), seeds, progress
        self.states: dict[str, _State] = {}
        self.order: list[str] = []
        self.findings: list[Finding] = []
        self.pools: dict[str, _Pool] = {}
        self.used: set[str] = set()
        self.seeds: list[int] = []
        self.units = 1
        self.one_module_at_a_time = bool(getattr(source, "from_meta", False))

    # --- the first build: what each parameter is and which rules apply ---------------------
    def _state(self, info: Parameter, drawn: bool) -> _State:
        if info.tied_to is not None or not drawn:
            return _State(info, None, [], drawn=drawn)
        stored = np.broadcast_to(np.zeros(1, dtype=np.int8), info.shape)  # shapes only, no memory
        base = self._base(info, stored)
        layout = info.layout if base.ndim >= 2 else None
        summary = DrawSummary(_canonical(base, layout).shape, "torch", capacity=SAMPLE, seed=self.seed)
        slots = []
        for rule in applicable(self.rules, info.name):
            self.used.add(rule.text)
            slot = _Slot(rule, None)
            try:
                block = slot.block(stored if rule.block is not None else base)
                slot.layout = _layout(info, rule, block.ndim)
                slot.shape = tuple(_canonical(block, slot.layout).shape)
            except UsageError as err:
                slot.error = f"rule {rule.text!r} on {info.name} {info.shape}: {err}"
            slots.append(slot)
        return _State(info, summary, slots)

    def _plan(self, state: _State) -> None:
        for slot in state.slots:
            if slot.error or slot.rule.fixed:
                continue
            assert slot.rule.law is not None
            try:
                slot.plan = plan_verdict(slot.rule.law, layout="torch", shapes=[slot.shape] if slot.shape else [(1,)],
                                         seed=self.seed, alpha=self.alpha / self.units, tolerance=self.tolerance)
            except UsageError as err:
                where = state.info.name + (slot.rule.block.text if slot.rule.block else "")
                slot.error = f"{slot.rule.law} cannot hold for {where} {slot.shape}: {err}"
                continue
            slot.feed = Feed(self.design, slot.plan.shapes[0])

    @staticmethod
    def _base(info: Parameter, values: np.ndarray) -> np.ndarray:
        """The values a whole-parameter rule and the identification see: padding rows left out."""
        return np.delete(values, list(info.padding_rows), axis=0) if info.padding_rows else values

    # --- every build ------------------------------------------------------------------------
    def _take(self, k: int, info: Parameter, values: np.ndarray | None, full: dict[str, np.ndarray],
              prefixes: list[Prefix]) -> None:
        state = self.states[info.name]
        if state.info.shape != info.shape or state.info.tied_to != info.tied_to:
            raise ModelFault(f"target={self.source.target!r}: parameter {info.name} is {info.shape} in build {k + 1} "
                             f"but {state.info.shape} in build 1: the model must be the same in every build")
        if values is None or state.summary is None:
            return
        base = self._base(info, values)
        layout = info.layout if base.ndim >= 2 else None
        canon = _canonical(base, layout)
        state.summary.add(canon)
        finite = state.summary.finite
        if info.padding_rows and state.padding_bad is None and np.any(values[list(info.padding_rows)] != 0):
            state.padding_bad = k
        for slot in state.slots:
            if slot.error:
                continue
            block = slot.block(values if slot.rule.block is not None else base)
            if slot.rule.fixed:
                digest = hashlib.blake2b(np.ascontiguousarray(block).tobytes(), digest_size=16).digest()
                if slot.digest is None:
                    slot.digest = digest
                elif digest != slot.digest and slot.changed is None:
                    slot.changed = k
            elif not finite:
                slot.error = slot.error or (f"{info.name} holds NaN or infinite values in build {k + 1}: no law of "
                                            "the grammar (uninitialized memory?)")
                if slot.feed is not None:
                    try:
                        slot.feed.close()
                    except Exception:  # noqa: BLE001, S110 - the verdict is already a failure
                        pass
                    slot.feed = None
            elif slot.feed is not None:
                view = _canonical(block, slot.layout)
                slot.feed.push(view)
                if k == 0:
                    self._pool(slot, view if slot.rule.block is not None else None, state.summary, info.name)
        if k == 0:
            flat = base.reshape(-1)
            if flat.size and not np.all(flat == flat[0]):
                prefixes.append(Prefix(info.name, flat[:CONFIRM].astype(np.float64), tuple(values.shape)))
                full[info.name] = values
                self.findings += repeated_blocks(info.name, base)

    def _pool(self, slot: _Slot, block: np.ndarray | None, summary: DrawSummary, name: str) -> None:
        """Add the first build's standardized sums of a rule's parameter (a whole parameter's
        are its summary's sums of this build; a block's are computed)."""
        target = slot.plan.shapes[0].target
        if target.kind != "iid":
            return
        law = target.law
        mu, sd = float(law.mean()), float(law.std())
        if block is None:
            n, s1, s2 = summary.last
            c = summary.shift - mu  # Σ(x - μ) = Σ(x - shift) + n c; Σ(x - μ)² = Σ(x - shift)² + 2c Σ(x - shift) + n c²
            t1, t2 = s1 + n * c, s2 + 2 * c * s1 + n * c * c
        else:
            d = block.reshape(-1).astype(np.float64) - mu
            n, t1, t2 = d.size, float(d.sum()), float(np.dot(d, d))
        pool = self.pools.setdefault(slot.rule.text, _Pool())
        pool.n += n
        pool.s1 += t1 / sd
        pool.s2 += t2 / (sd * sd)
        pool.v4 += n * (law_kurtosis(law) - 1)
        pool.names.append(name + (slot.rule.block.text if slot.rule.block else ""))

    def _more(self, done: int) -> bool:
        if self.fixed_builds is not None:
            return done < self.fixed_builds
        if done < MIN_BUILDS:
            return True
        wanting = any(s.feed is not None and s.feed.wants_more for st in self.states.values() for s in st.slots)
        return wanting and done < MAX_BUILDS

    def run(self) -> AuditReport:
        total = self.fixed_builds
        k = 0
        candidates = build_seeds(self.seed, self.fixed_builds or MAX_BUILDS)
        while self._more(k):
            seed = candidates[k]
            self.seeds.append(seed)
            full: dict[str, np.ndarray] = {}
            prefixes: list[Prefix] = []
            first: list[tuple[Parameter, np.ndarray | None]] = []
            for info, values in self.source.build(seed):
                if k == 0:  # planning needs every parameter and rule: hold this build's views until then
                    self.states[info.name] = self._state(info, values is not None)
                    self.order.append(info.name)
                    first.append((info, None if self.one_module_at_a_time else values))
                    continue
                if info.name not in self.states:
                    raise ModelFault(f"target={self.source.target!r}: build {k + 1} has a parameter {info.name} "
                                     "that build 1 did not: the model must be the same in every build")
                if self.progress is not None:
                    self.progress(f"build {k + 1}{'/' + str(total) if total else ''}: {info.name}")
                self._take(k, info, values, full, prefixes)
            if k == 0:
                self._first_build()
                # on the meta device each module's memory is given back as the build goes on, so
                # its first build is drawn again rather than held
                again = self.source.build(seed) if self.one_module_at_a_time else iter(first)
                for info, values in again:
                    if self.progress is not None:
                        self.progress(f"build 1{'/' + str(total) if total else ''}: {info.name}")
                    self._take(0, info, values, full, prefixes)
                self.findings += repeated_draws(prefixes, full)
                first.clear()
            full.clear()
            k += 1
        return self._report()

    def _first_build(self) -> None:
        unused = [r for r in self.rules if r.text not in self.used]
        for r in unused:
            self.findings.append(Finding("rule-unmatched", (), f"rule {r.text!r} matches no parameter of "
                                         f"{self.source.target}"))
        slots = [s for st in self.states.values() for s in st.slots if not s.error and not s.rule.fixed]
        pooled = {s.rule.text for s in slots}
        counts = {t: sum(1 for s in slots if s.rule.text == t) for t in pooled}
        self.units = max(1, len(slots) + sum(1 for c in counts.values() if c >= 2))
        for st in self.states.values():
            self._plan(st)

    # --- the answer ---------------------------------------------------------------------------
    def _verdicts(self, st: _State) -> tuple[RuleVerdict, ...]:
        out = []
        for slot in st.slots:
            law = slot.rule.text.split("=", 1)[1].strip()  # as written
            block = slot.rule.block.text if slot.rule.block else None
            if slot.error:
                out.append(RuleVerdict(slot.rule.text, block, law, False, detail=slot.error))
            elif slot.rule.fixed:
                builds = len(self.seeds)
                if builds < 2:
                    out.append(RuleVerdict(slot.rule.text, block, law, False,
                                           detail="one build cannot tell whether values change between builds"))
                elif slot.changed is None:
                    out.append(RuleVerdict(slot.rule.text, block, law, True,
                                           detail=f"the same bytes in all {builds} builds (different seeds)"))
                else:
                    out.append(RuleVerdict(slot.rule.text, block, law, False,
                                           detail=f"build {slot.changed + 1} (seed {self.seeds[slot.changed]}) differs "
                                           "from build 1: the values depend on the seed (re-initialized after "
                                           "loading?)"))
            else:
                assert slot.feed is not None
                outcome = slot.feed.close()
                report = verdict_of(slot.plan, [(slot.plan.shapes[0], outcome)], target=None, design=self.design.name)
                target = slot.plan.shapes[0].target
                std = float(target.law.std()) if target.kind == "iid" else None
                out.append(RuleVerdict(slot.rule.text, block, law, report.passed, report, expected_std=std))
        return tuple(out)

    def _pooled(self) -> list[Finding]:
        out = []
        share = self.alpha / self.units / 2
        for text, pool in self.pools.items():
            if len(pool.names) < 2:
                continue
            zm = pool.s1 / math.sqrt(pool.n)
            zv = (pool.s2 - pool.n) / math.sqrt(pool.v4)
            pm, pv = (2 * float(stats.norm.sf(abs(z))) for z in (zm, zv))
            if min(pm, pv) <= share:
                which = f"mean {pool.s1 / pool.n:+.4g} sd (p = {pm:.3g})" if pm <= pv else \
                    f"variance ratio {pool.s2 / pool.n:.5f} (p = {pv:.3g})"
                out.append(Finding("rule-pooled", tuple(pool.names),
                                   f"rule {text!r}: its {len(pool.names)} parameters together do not follow it: "
                                   f"{which}, over {pool.n:,} values of the first build"))
        return out

    def _report(self) -> AuditReport:
        params = []
        for name in self.order:
            st = self.states[name]
            info = st.info
            notes = []
            if info.tied_to is not None:
                params.append(ParameterAudit(info, None, None, f"tied to {info.tied_to}", (),
                                             f"tied to {info.tied_to}"))
                continue
            if not st.drawn:
                self.findings.append(Finding("not-drawn", (name,), f"{name} ({info.layer}) was not drawn: on the meta "
                                             "device its module has no reset_parameters()"))
                params.append(ParameterAudit(info, None, None, "not drawn", self._verdicts(st), "not drawn"))
                continue
            assert st.summary is not None
            d = st.summary.describe()
            if not st.summary.finite:
                self.findings.append(Finding("non-finite", (name,), f"{name} holds NaN or infinite values "
                                             "(uninitialized memory, or a division by zero in its init)"))
            siblings = [(f"the fan_in of {o.name}", o.layout.canonical_shape(o.shape)[1] *
                         math.prod(o.layout.canonical_shape(o.shape)[2:]))
                        for o in (self.states[n].info for n in self.order)
                        if o.module == info.module and o.layout is not None and o.name != name]
            law, why = name_law(d, d.shape, siblings if len(d.shape) < 2 else ())
            if info.padding_rows:
                rows = ", ".join(map(str, info.padding_rows))
                if st.padding_bad is None:
                    notes.append(f"padding row {rows}: exactly 0 in every build")
                else:
                    self.findings.append(Finding("padding-row", (name,), f"{name}: padding row {rows} is not 0 in "
                                                 f"build {st.padding_bad + 1} (the padding index must stay 0)"))
                    notes.append(f"padding row {rows} is not 0")
            params.append(ParameterAudit(info, d, law, why, self._verdicts(st), "; ".join(notes)))
        self.findings += self._pooled()
        return AuditReport(self.source.target, self.source.framework, tuple(self.seeds), self.seed, self.alpha,
                           tuple(params), tuple(self.findings), tuple(r.text for r in self.rules))


def audit(
    target: Any,
    *,
    kwargs: Mapping[str, Any] | None = None,
    rules: Iterable[str] = (),
    rules_file: str | None = None,
    variables: Mapping[str, float] | None = None,
    seeds: int | None = None,
    seed: int = DEFAULT_SEED,
    alpha: float = DEFAULT_AUDIT_ALPHA,
    tolerance: float = DEFAULT_TOLERANCE,
    design: str = DEFAULT_DESIGN,
    from_meta: bool = False,
    progress: Callable[[str], None] | None = None,
) -> AuditReport:
    """Audit a whole model: build it under several seeds, identify every parameter's law, judge
    the rules, and look across parameters (see :mod:`initcheck.auditing.run`).

    >>> import initcheck
    >>> def mlp():
    ...     import numpy as np  # any framework's model; here the smallest: see the docs
    ...     raise NotImplementedError

    Args:
        target: ``module:factory`` text, a zero-argument factory, or a model class (with ``kwargs``).
        kwargs: keyword arguments of the class or factory.
        rules: ``GLOB=LAW`` rules (:mod:`initcheck.auditing.rules`), after those of ``rules_file``.
        rules_file: a TOML rules file.
        variables: names for the laws' arithmetic (override the file's ``[vars]``).
        seeds: how many builds (None: as many as the verdicts need, at least ``MIN_BUILDS``).
        seed: the audit's seed; the builds' seeds derive from it.
        alpha: the family-wise false-alarm probability of all the rules' verdicts.
        tolerance: the relative variance error (and mean shift in sds) each verdict is planned for.
        design: ``sequential`` or ``fixed`` (as for ``check``).
        from_meta: PyTorch only: build on the meta device and draw one module at a time.
        progress: called with a short text before each parameter of each build.

    Raises:
        UsageError: a bad argument, target, rule or rules file; a factory that raises or
            returns no model (one line, naming the target).
    """
    seed = validate.seed(seed)
    alpha = validate.probability("alpha", alpha)
    tolerance = validate.probability("tolerance", tolerance, 0.5)
    if seeds is not None and (isinstance(seeds, bool) or not isinstance(seeds, int) or not 2 <= seeds <= 10_000):
        raise expected("seeds", seeds, "an integer from 2 to 10000 (builds of the model)")
    names = dict(variables or {})
    parsed: list[Rule] = []
    if rules_file is not None:
        parsed, names = load_rules(rules_file, names)
    if isinstance(rules, str):
        rules = [rules]
    parsed += parse_rules(rules, names)
    design_named(design)
    try:
        first = build_seeds(seed, 1)[0]
        source = model_source(target, kwargs, seed=first, from_meta=from_meta)
        return _Audit(source, parsed, seed=seed, alpha=alpha, tolerance=tolerance, design=design, seeds=seeds,
                      progress=progress).run()
    except ModelFault as fault:
        raise UsageError(str(fault)) from fault.cause


def assert_model_conforms(target: Any, **options: Any) -> AuditReport:
    """:func:`audit`, raising ``AssertionError`` with the summary and every finding unless the
    model conforms (for tests)."""
    report = audit(target, **options)
    if not report.passed:
        raise AssertionError("\n".join([report.summary(), *report.sentences()]))
    return report
