"""Declared expectations about signal size across depth, and how a measurement meets them.

Two kinds, both about the *hidden* layers (the output layer's width is the
task's, and a fan-in or fan-out scaling changes the signal there by a constant
``n_out/n_in``, which is no depth effect), and both about the *typical*
network: each ratio is taken within one network (its mean square over units
and inputs), and its geometric mean over initializations is tested, with a t
interval on the log scale (see :mod:`.estimates`):

* ``within=K``: every hidden layer's mean square stays within ``[1/K, K]`` of
  the first hidden layer's in the direction of travel: forward each ``q_l/q_1``,
  backward each ``g_l/g_{L-1}`` (the first gradient the network propagated).
* ``factor=F`` (optionally ``tol=T``, default 1.1): every per-layer factor,
  forward ``q_l/q_{l-1}`` and backward ``g_l/g_{l+1}``, lies within ``[F/T, F·T]``.

``direction=forward`` or ``backward`` restricts either to one pass. A layer is
*outside* when its whole interval lies outside the band, *inside* when its
whole interval lies within it, and *undecided* otherwise. The expectation is
rejected when some layer is outside: with intervals at level α/m for m tested
layers, a correct expectation is rejected with probability at most α.

>>> str(parse_expectation("within=2"))
'within=2'
>>> parse_expectation("factor=0.25,tol=1.2").band()
(0.20833333333333334, 0.3)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .._deprecations import module_getattr
from ..errors import expected

__all__ = [
    "DEFAULT_EXPECTATION",
    "DEFAULT_FACTOR_TOLERANCE",
    "Expectation",
    "LayerResult",
    "classify",
    "parse_expectation",
]

DEFAULT_EXPECTATION = "within=2"  # of order one: no hidden layer off by more than a factor 2
DEFAULT_FACTOR_TOLERANCE = 1.1  # factor=F means each layer's factor within [F/1.1, 1.1·F]
DIRECTIONS = ("both", "forward", "backward")
_WHAT = "within=K (K > 1) or factor=F (F > 0), optionally with ,tol=T (factor only) and ,direction=forward|backward"


@dataclass(frozen=True)
class Expectation:
    """A declared expectation (see the module docstring).

    Attributes:
        kind: ``within`` or ``factor``.
        value: K (``within``) or F (``factor``).
        tolerance: T of ``factor`` (multiplicative), 1 for ``within``.
        direction: ``both``, ``forward`` or ``backward``.
    """

    kind: str
    value: float
    tolerance: float = 1.0
    direction: str = "both"

    def band(self) -> tuple[float, float]:
        """The interval a tested quantity must stay in."""
        if self.kind == "within":
            return 1.0 / self.value, self.value
        return self.value / self.tolerance, self.value * self.tolerance

    def directions(self) -> tuple[str, ...]:
        """The passes it is about."""
        return ("forward", "backward") if self.direction == "both" else (self.direction,)

    def __str__(self) -> str:
        text = f"{self.kind}={self.value:g}"
        if self.kind == "factor" and self.tolerance != DEFAULT_FACTOR_TOLERANCE:
            text += f",tol={self.tolerance:g}"
        if self.direction != "both":
            text += f",direction={self.direction}"
        return text

    def describe(self) -> str:
        """The expectation in words."""
        lo, hi = self.band()
        where = {"both": "forward and backward", "forward": "forward", "backward": "backward"}[self.direction]
        if self.kind == "within":
            return (f"in a typical network, every hidden layer's mean square within a factor {self.value:g} "
                    f"of the first hidden layer's, {where}")
        return f"in a typical network, every hidden layer's factor in [{lo:.4g}, {hi:.4g}], {where}"


def _number(text: str, key: str, spec: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise expected("expect", spec, f"a number for {key}: {_WHAT}") from None
    if not math.isfinite(value):
        raise expected("expect", spec, f"a finite number for {key}")
    return value


def parse_expectation(text: str | Expectation) -> Expectation:
    """Parse ``within=K`` or ``factor=F[,tol=T]``, each with an optional ``,direction=D``.

    Raises:
        UsageError: anything else, K <= 1, F <= 0 or T < 1.
    """
    if isinstance(text, Expectation):
        return text
    if not isinstance(text, str) or not text.strip():
        raise expected("expect", text, _WHAT)
    fields: dict[str, str] = {}
    for part in text.split(","):
        key, sep, value = (s.strip() for s in part.partition("="))
        if not sep or not value or key in fields:
            raise expected("expect", text, _WHAT)
        fields[key] = value
    kinds = [k for k in ("within", "factor") if k in fields]
    unknown = set(fields) - {"within", "factor", "tol", "direction"}
    if len(kinds) != 1 or unknown:
        raise expected("expect", text, _WHAT)
    kind = kinds[0]
    value = _number(fields[kind], kind, text)
    direction = fields.get("direction", "both")
    if direction not in DIRECTIONS:
        raise expected("expect", text, f"direction one of {', '.join(DIRECTIONS)}")
    if kind == "within":
        if "tol" in fields:
            raise expected("expect", text, "tol only with factor=F")
        if value <= 1.0:
            raise expected("expect", text, "within=K with K > 1")
        return Expectation("within", value, 1.0, direction)
    if value <= 0.0:
        raise expected("expect", text, "factor=F with F > 0")
    tol = _number(fields["tol"], "tol", text) if "tol" in fields else DEFAULT_FACTOR_TOLERANCE
    if tol < 1.0:
        raise expected("expect", text, "tol=T with T >= 1 (a multiplicative tolerance)")
    return Expectation("factor", value, tol, direction)


@dataclass(frozen=True)
class LayerResult:
    """One tested quantity: a hidden layer's ratio or factor against the band (a *finding*
    when it is ``outside``).

    Attributes:
        direction: ``forward`` or ``backward``.
        layer: the layer's 1-based index.
        name: the layer's name.
        quantity: what was tested, e.g. ``q_5/q_1`` or ``g_3/g_4``.
        value: the typical value (geometric mean over trials).
        low: the interval's lower end.
        high: the interval's upper end.
        band: the band it must stay in.
        status: ``inside``, ``outside`` or ``undecided``.
    """

    direction: str
    layer: int
    name: str
    quantity: str
    value: float
    low: float
    high: float
    band: tuple[float, float]
    status: str

    @property
    def severity(self) -> float:
        """How far the value is from 1 on the log scale (inf for 0, inf or nan)."""
        if not (math.isfinite(self.value) and self.value > 0):
            return math.inf
        return abs(math.log(self.value))

    def sentence(self) -> str:
        """One line: what, how much, with its interval, against the band."""
        return (f"{self.direction} layer {self.name}: {self.quantity} = {self.value:.4g} "
                f"[{self.low:.4g}, {self.high:.4g}], {self.status} [{self.band[0]:.4g}, {self.band[1]:.4g}]")

    def to_dict(self) -> dict[str, Any]:
        """The result as plain data."""
        return {"direction": self.direction, "layer": self.layer, "name": self.name, "quantity": self.quantity,
                "value": self.value, "ci": [self.low, self.high], "band": list(self.band), "status": self.status}


def classify(value: float, low: float, high: float, band: tuple[float, float]) -> str:
    """``inside``, ``outside`` or ``undecided`` for an estimate with interval ``[low, high]``.

    A non-finite estimate (an overflow, or 0/0) is ``outside``: it is no
    signal of order one. Without an interval (a trial overflowed), the value
    alone decides.

    >>> classify(1.2, 0.9, 1.5, (0.5, 2.0)), classify(3.0, 2.5, 3.5, (0.5, 2.0))
    ('inside', 'outside')
    """
    lo_b, hi_b = band
    if not math.isfinite(value):
        return "outside"
    if not (math.isfinite(low) and math.isfinite(high)):
        low = high = value
    if high < lo_b or low > hi_b:
        return "outside"
    if lo_b <= low and high <= hi_b:
        return "inside"
    return "undecided"


__getattr__ = module_getattr(__name__, {
    "Finding": ("initcheck.propagation.expect.LayerResult", lambda: LayerResult)})
