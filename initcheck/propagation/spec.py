"""What a propagation run is about: the reference MLP's widths, initializer and input law.

``--widths 784,256x50,10`` means an input of width 784, fifty hidden layers of
width 256 and an output layer of width 10 (``NxK`` repeats width N K times).
``--init`` and ``--bias`` take a law of the ``--law`` grammar
(:mod:`initcheck.laws`, e.g. ``he_normal``, ``xavier_normal``,
``normal(std=0.01)``, ``mxnet_default``, ``orthogonal``, ``lecun_normal``):
:func:`parse_init` maps it onto the reference initializer of
:mod:`initcheck.init` that draws it, while the theory reads the law's second
moment from :func:`initcheck.laws.target_law` (the closed form, never the
sampler's draws).

>>> parse_widths("784,256x3,10")
(784, 256, 256, 256, 10)
>>> str(parse_init("kaiming_normal(nonlinearity=relu)"))
'he_normal(mode=fan_in, nonlinearity=relu, a=0.0)'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .. import init as _init
from ..activations import Activation, get_activation
from ..distributions import ZERO_MEAN_LAWS, zero_mean_law
from ..errors import expected
from ..laws import Law, parse_law, target_law

__all__ = [
    "MAX_LAYERS",
    "MLPSpec",
    "parse_init",
    "parse_widths",
    "weight_moments",
]

MAX_LAYERS = 10_000  # a guard against typos such as 256x500000
_WIDTH = re.compile(r"^\s*(\d+)\s*(?:[x×]\s*(\d+))?\s*$")


def parse_widths(text: str) -> tuple[int, ...]:
    """``"784,256x50,10"`` -> ``(784, 256, ..., 256, 10)``: input, hidden and output widths.

    Raises:
        UsageError: malformed text, a zero width or repeat, fewer than 3 widths
            (a network needs a hidden layer to propagate through) or more than
            ``MAX_LAYERS`` (10,000) layers.
    """
    what = "comma-separated widths such as 784,256x50,10 (NxK: K layers of width N)"
    if not isinstance(text, str) or not text.strip():
        raise expected("widths", text, what)
    dims: list[int] = []
    for part in text.split(","):
        m = _WIDTH.match(part)
        if not m:
            raise expected("widths", text, what)
        width, repeat = int(m.group(1)), int(m.group(2) or 1)
        if width < 1 or repeat < 1:
            raise expected("widths", text, "positive widths and repeats")
        if len(dims) + repeat > MAX_LAYERS + 1:
            raise expected("widths", text, f"at most {MAX_LAYERS} layers")
        dims += [width] * repeat
    if len(dims) < 3:
        raise expected("widths", text, "at least 3 widths: input, one or more hidden layers, output")
    return tuple(dims)


def _factory(claim: Law) -> _init.Initializer:
    p = dict(claim.params)
    name = claim.name
    if name in ("zeros", "ones", "mxnet_default", "lecun_normal", "lecun_uniform"):
        return getattr(_init, name)()
    if name == "constant":
        return _init.constant(float(p["value"]))
    if name == "normal":
        return _init.normal(float(p["mean"]), float(p["std"]))
    if name == "uniform":
        if "a" in p:
            return _init.uniform(float(p["a"]))
        return _init.uniform(low=float(p["low"]), high=float(p["high"]))
    if name in ("xavier_normal", "xavier_uniform", "orthogonal"):
        return getattr(_init, name)(float(p["gain"]))
    if name in ("he_normal", "he_uniform"):
        return getattr(_init, name)(float(p["a"]), str(p["mode"]), str(p["nonlinearity"]))
    if name == "truncated_normal":
        return _init.truncated_normal(*(float(p[k]) for k in ("mean", "std", "a", "b")))
    if name == "variance_scaling":
        dist = "normal" if p["distribution"] == "untruncated_normal" else str(p["distribution"])
        return _init.variance_scaling(float(p["scale"]), str(p["mode"]), dist)
    raise expected("init", str(claim), "a law of the --law grammar (see 'initcheck laws')")


def parse_init(text: str | Law) -> _init.Initializer:
    """The reference initializer (a sampler in the torch layout) that draws the law ``text`` names.

    Args:
        text: a law of the ``--law`` grammar, e.g. ``he_normal``,
            ``normal(std=0.01)``, ``orthogonal(gain=1.2)``, or a parsed
            :class:`~initcheck.laws.Law`.

    Returns:
        An :class:`~initcheck.init.Initializer` with the same parameters.

    Raises:
        UsageError: an unknown law or a bad parameter (the message of
            :func:`~initcheck.laws.parse_law`).
    """
    claim = parse_law(text) if isinstance(text, str) else text
    return _factory(claim)


def weight_moments(claim: Law, shape: tuple[int, ...]) -> tuple[float, float]:
    """``(mean, second moment E[w²])`` of one entry of an array of ``shape`` drawn from ``claim``.

    From the law's closed form: a frozen scipy law's mean and variance; a
    constant's value; and for a (semi-)orthogonal ``rows × cols`` matrix times
    ``gain``, ``E[w²] = gain² / max(rows, cols)`` (its shorter side's vectors are
    unit vectors) and mean 0.

    >>> weight_moments(parse_law("he_normal"), (256, 128))
    (0.0, 0.015625)
    """
    law = target_law(claim, shape, "torch")
    if law.kind == "constant":
        return law.value, law.value**2
    if law.kind == "orthogonal":
        rows, cols = law.matrix
        return 0.0, law.gain**2 / max(rows, cols)
    mean, var = float(law.law.mean()), float(law.law.var())
    return mean, var + mean**2


@dataclass(frozen=True)
class MLPSpec:
    """The reference MLP of a propagation run, and the law of its inputs.

    Attributes:
        widths: ``(n_0, n_1, ..., n_L)``.
        activation: φ of the hidden layers (the output layer is linear).
        init: the weights' law (``--law`` grammar).
        bias: the biases' law (default ``zeros``).
        input: the inputs' zero-mean law, a name of
            :data:`initcheck.distributions.ZERO_MEAN_LAWS`.
        input_std: the inputs' standard deviation.
    """

    widths: tuple[int, ...]
    activation: str = "relu"
    init: str = "he_normal"
    bias: str = "zeros"
    input: str = "normal"
    input_std: float = 1.0

    def __post_init__(self) -> None:
        widths = parse_widths(self.widths) if isinstance(self.widths, str) else tuple(self.widths)
        if len(widths) < 3 or any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in widths):
            raise expected("widths", self.widths, "at least 3 positive integers (input, hidden..., output)")
        object.__setattr__(self, "widths", widths)
        act = get_activation(self.activation)
        object.__setattr__(self, "activation", act.name)
        object.__setattr__(self, "init", str(parse_law(self.init)))
        object.__setattr__(self, "bias", str(parse_law(self.bias)))
        zero_mean_law(self.input)
        std = self.input_std
        if isinstance(std, bool) or not isinstance(std, (int, float)) or not (math.isfinite(std) and std > 0):
            raise expected("input_std", std, "a positive finite number")
        object.__setattr__(self, "input_std", float(std))
        for i in range(self.depth):  # the laws must exist at every layer's shape
            weight_moments(parse_law(self.init), self.weight_shape(i))
            weight_moments(parse_law(self.bias), (self.widths[i + 1],))

    @property
    def depth(self) -> int:
        """Number of weight layers L."""
        return len(self.widths) - 1

    def weight_shape(self, layer: int) -> tuple[int, int]:
        """``(n_out, n_in)`` of layer ``layer`` (0-based), the torch layout."""
        return (self.widths[layer + 1], self.widths[layer])

    def act(self) -> Activation:
        """The hidden layers' :class:`~initcheck.activations.Activation`."""
        return get_activation(self.activation)

    def describe(self) -> str:
        """One line: the network and its input law."""
        shown = _compact(self.widths)
        bias = "" if self.bias == "zeros" else f", bias {self.bias}"
        law = ZERO_MEAN_LAWS[self.input].name
        return (f"MLP {shown}, {self.activation}, init {self.init}{bias}; "
                f"input {law} (std {self.input_std:g})")


def _compact(widths: tuple[int, ...]) -> str:
    parts: list[str] = []
    i = 0
    while i < len(widths):
        j = i
        while j + 1 < len(widths) and widths[j + 1] == widths[i]:
            j += 1
        count = j - i + 1
        parts.append(f"{widths[i]}x{count}" if count > 1 else str(widths[i]))
        i = j + 1
    return ",".join(parts)

