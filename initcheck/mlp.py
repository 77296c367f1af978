"""A reference multilayer perceptron in numpy, with hand-written backpropagation.

Layout and notation (PyTorch's): layer l = 1..L has weights ``W_l`` of shape
``(n_l, n_{l-1})`` and bias ``b_l`` of shape ``(n_l,)``; inputs are batch-first,
``x`` of shape ``(B, n_0)``. With ``a_0 = x``::

    h_l = a_{l-1} W_lᵀ + b_l          (pre-activation, shape (B, n_l))
    a_l = φ_l(h_l)                     (activation; the output is o = a_L)

Backpropagation, given ``g = ∂L/∂o``::

    δ_L = g ⊙ φ_L'(h_L)                          (∂L/∂h_L)
    ∂L/∂W_l = δ_lᵀ a_{l-1},   ∂L/∂b_l = Σ_batch δ_l
    δ_{l-1} = (δ_l W_l) ⊙ φ_{l-1}'(h_{l-1}),     ∂L/∂x = δ_1 W_1

so the gradient reaching layer l is a product of the matrices
``M_k = diag(φ_k'(h_k)) W_k`` of the layers above it: the book's "product of
L − l matrices", whose size either vanishes or explodes with depth. The
per-layer ``δ_l`` are kept in :class:`Gradients` so that shrinkage and growth
across depth can be measured; :func:`jacobian` returns the same product for a
single input.

Example: a 3-layer tanh network, checked against finite differences.

>>> import numpy as np
>>> def normal(shape, seed):
...     return np.random.default_rng(seed).normal(0.0, shape[1] ** -0.5, shape)
>>> net = build_mlp([4, 8, 8, 2], "tanh", weight_sampler=normal, seed=7)
>>> net.widths
(4, 8, 8, 2)
>>> x = np.random.default_rng(0).normal(size=(5, 4))
>>> check = gradient_check(net, x, np.zeros((5, 2)), "squared_error")
>>> check.within(1e-6), check.max_relative_error < 1e-6
(True, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import validate
from .activations import Activation, get_activation
from .errors import UsageError, expected
from .losses import LossFn, get_loss

__all__ = [
    "DEFAULT_LARS_TRUST",
    "FD_ROUNDING_ULPS",
    "MLP",
    "BiasSampler",
    "Forward",
    "GradientCheck",
    "Gradients",
    "WeightSampler",
    "backward",
    "build_mlp",
    "forward",
    "gradient_check",
    "jacobian",
    "lars_local_lr",
    "lars_step",
    "layer_jacobians",
    "layer_seeds",
    "numerical_gradient",
    "sgd_step",
]

Array = NDArray[np.floating]

#: ``weight_sampler(shape, seed) -> array``; ``shape`` is torch layout (n_out, n_in).
WeightSampler = Callable[[tuple[int, int], int], ArrayLike]
#: ``bias_sampler(shape, seed) -> array`` with ``shape == (n_out,)``.
BiasSampler = Callable[[tuple[int], int], ArrayLike]

DEFAULT_LARS_TRUST = 0.001  # η, the trust coefficient of You, Gitman & Ginsburg (2017)

#: Rounding allowance of a central difference, in units of u·|f| / ε per
#: element (u = 2^-53): the loss of a small MLP carries an absolute rounding
#: error of a few u·|f|, and the difference quotient divides it by 2ε.
#: Measured: about 1 such unit per element for 4-layer, width-5 float64
#: networks; 32 leaves a margin of ~30 while still resolving relative
#: errors of 1e-4 in gradients as small as 1e-3·|f|.
FD_ROUNDING_ULPS = 32


def _float_array(value: ArrayLike, name: str) -> Array:
    arr = np.asarray(value)
    if arr.dtype == np.bool_ or not (
        np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)
    ):
        raise expected(f"{name}.dtype", arr.dtype, "a real (float or integer) dtype")
    return arr if np.issubdtype(arr.dtype, np.floating) else arr.astype(np.float64)


def _real(value: object, name: str, *, positive: bool = False) -> float:
    what = "a finite positive real number" if positive else "a finite non-negative real number"
    if isinstance(value, bool):
        raise expected(name, value, what)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise expected(name, value, what) from None
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        raise expected(name, value, what)
    return number


@dataclass
class MLP:
    """A fully connected network ``a_l = φ_l(a_{l-1} W_lᵀ + b_l)``, l = 1..L.

    Attributes:
        weights: ``W_l`` of shape ``(n_l, n_{l-1})`` (PyTorch layout).
        biases: ``b_l`` of shape ``(n_l,)``.
        activations: ``φ_l``, one :class:`~initcheck.activations.Activation`
            per layer (typically identity for the last).

    Raises:
        UsageError: on construction, if the lists are empty or of different
            lengths, a weight is not 2-D real, consecutive widths do not chain
            (``W_l.shape[1] != W_{l-1}.shape[0]``), a bias is not ``(n_l,)``,
            or an activation is not an ``Activation``.
    """

    weights: list[Array]
    biases: list[Array]
    activations: list[Activation]

    def __post_init__(self) -> None:
        for name in ("weights", "biases", "activations"):
            value = getattr(self, name)
            if isinstance(value, (str, np.ndarray)) or not isinstance(value, Sequence):
                raise expected(name, type(value).__name__, "a list with one entry per layer")
        depth = len(self.weights)
        if depth == 0:
            raise expected("weights", [], "at least one layer")
        if len(self.biases) != depth or len(self.activations) != depth:
            raise expected(
                "(len(weights), len(biases), len(activations))",
                (depth, len(self.biases), len(self.activations)),
                "three equal lengths, one entry per layer",
            )
        self.weights = [_float_array(w, f"weights[{i}]") for i, w in enumerate(self.weights)]
        self.biases = [_float_array(b, f"biases[{i}]") for i, b in enumerate(self.biases)]
        self.activations = list(self.activations)
        previous_out: int | None = None
        for i, (w, b, act) in enumerate(
            zip(self.weights, self.biases, self.activations, strict=True)
        ):
            if w.ndim != 2 or 0 in w.shape:
                raise expected(f"weights[{i}].shape", w.shape, "(n_out, n_in), both positive")
            if previous_out is not None and w.shape[1] != previous_out:
                raise expected(
                    f"weights[{i}].shape",
                    w.shape,
                    f"n_in = {previous_out}, the n_out of weights[{i - 1}]",
                )
            if b.shape != (w.shape[0],):
                raise expected(
                    f"biases[{i}].shape", b.shape, f"({w.shape[0]},) to match weights[{i}]"
                )
            if not isinstance(act, Activation):
                raise expected(
                    f"activations[{i}]",
                    act,
                    "an Activation (see initcheck.activations.get_activation)",
                )
            previous_out = w.shape[0]

    @property
    def depth(self) -> int:
        """Number of layers L."""
        return len(self.weights)

    @property
    def widths(self) -> tuple[int, ...]:
        """``(n_0, n_1, ..., n_L)``: input width then each layer's output width."""
        return (int(self.weights[0].shape[1]),) + tuple(int(w.shape[0]) for w in self.weights)


@dataclass(frozen=True)
class Forward:
    """Everything a forward pass computed.

    Attributes:
        pre: ``[h_1, ..., h_L]``, pre-activations, ``h_l`` of shape ``(B, n_l)``.
        post: ``[a_0 = x, a_1, ..., a_L]``, activations (``L + 1`` entries).
    """

    pre: list[Array]
    post: list[Array]

    @property
    def output(self) -> Array:
        """The network output ``o = a_L``."""
        return self.post[-1]


@dataclass(frozen=True)
class Gradients:
    """Gradients of a scalar loss, from :func:`backward`.

    Attributes:
        weights: ``∂L/∂W_l``, same shapes (torch layout) as the weights.
        biases: ``∂L/∂b_l``.
        inputs: ``∂L/∂x``, shape ``(B, n_0)``.
        pre: ``δ_l = ∂L/∂h_l`` for each layer, shape ``(B, n_l)``.
    """

    weights: list[Array]
    biases: list[Array]
    inputs: Array
    pre: list[Array] = field(default_factory=list)


def layer_seeds(seed: int, depth: int) -> list[tuple[int, int]]:
    """Independent ``(weight_seed, bias_seed)`` for each of ``depth`` layers.

    ``np.random.SeedSequence(seed).spawn(depth)`` gives one child per layer;
    child l's first two 32-bit state words are layer l's weight and bias
    seeds. Adding layers keeps the seeds of the existing ones.

    Args:
        seed: a non-negative integer.
        depth: number of layers L >= 1.

    Returns:
        ``[(weight_seed_1, bias_seed_1), ..., (weight_seed_L, bias_seed_L)]``,
        each seed in [0, 2**32).

    Raises:
        UsageError: negative or non-integer ``seed`` or ``depth``.

    >>> layer_seeds(0, 2) == layer_seeds(0, 3)[:2]
    True
    """
    validate.seed(seed)
    validate.count("depth", depth)
    children = np.random.SeedSequence(int(seed)).spawn(int(depth))
    states = [child.generate_state(2, dtype=np.uint32) for child in children]
    return [(int(s[0]), int(s[1])) for s in states]


def build_mlp(
    widths: Sequence[int],
    activation: str | Activation,
    *,
    weight_sampler: WeightSampler,
    bias_sampler: BiasSampler | None = None,
    seed: int,
    output_activation: str | Activation = "identity",
) -> MLP:
    """Build an MLP with widths ``(n_0, ..., n_L)`` from an initializer.

    Layer l's weights are ``weight_sampler((n_l, n_{l-1}), s_l)`` with
    ``s_l`` from :func:`layer_seeds` (``SeedSequence(seed).spawn(L)``), so
    layers are independent and the whole network is a function of ``seed``.

    Args:
        widths: ``(n_0, n_1, ..., n_L)``, at least two positive integers.
        activation: φ of the hidden layers 1..L-1 (name or Activation).
        weight_sampler: ``(shape, seed) -> array`` with shape ``(n_out, n_in)``.
        bias_sampler: ``(shape, seed) -> array`` with shape ``(n_out,)``;
            ``None`` gives zero biases.
        seed: non-negative integer seed of the whole network.
        output_activation: φ_L of the last layer (default identity).

    Returns:
        The :class:`MLP`.

    Raises:
        UsageError: bad widths, seed or activation names, or a sampler that
            returns an array of the wrong shape.
    """
    if isinstance(widths, (str, bytes)) or not isinstance(widths, Sequence):
        raise expected("widths", widths, "a sequence of positive integers (n_0, ..., n_L)")
    dims = []
    for n in widths:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise expected("widths", tuple(widths), "positive integers")
        dims.append(int(n))
    if len(dims) < 2:
        raise expected("widths", tuple(widths), "at least two widths (n_in, n_out)")
    hidden = get_activation(activation)
    try:
        last = get_activation(output_activation)
    except UsageError:
        raise expected(
            "output_activation", output_activation, "a name or Activation (see get_activation)"
        ) from None
    depth = len(dims) - 1
    weights, biases = [], []
    for i, (w_seed, b_seed) in enumerate(layer_seeds(seed, depth)):
        w_shape = (dims[i + 1], dims[i])
        w = _float_array(weight_sampler(w_shape, w_seed), f"weight_sampler({w_shape}, seed)")
        if w.shape != w_shape:
            raise expected(
                f"weight_sampler({w_shape}, seed).shape",
                w.shape,
                f"{w_shape} = (n_out, n_in), the torch layout",
            )
        if bias_sampler is None:
            b = np.zeros(dims[i + 1], dtype=w.dtype)
        else:
            b_shape = (dims[i + 1],)
            b = _float_array(bias_sampler(b_shape, b_seed), f"bias_sampler({b_shape}, seed)")
            if b.shape != b_shape:
                raise expected(f"bias_sampler({b_shape}, seed).shape", b.shape, f"{b_shape}")
        weights.append(w)
        biases.append(b)
    return MLP(weights, biases, [hidden] * (depth - 1) + [last])


def _check_input(mlp: MLP, x: ArrayLike) -> Array:
    arr = _float_array(x, "x")
    if arr.ndim != 2 or arr.shape[1] != mlp.widths[0] or arr.shape[0] == 0:
        hint = " (for one input use x[None, :])" if arr.ndim == 1 else ""
        raise expected("x.shape", arr.shape, f"(batch, {mlp.widths[0]}) with batch >= 1{hint}")
    return arr


def forward(mlp: MLP, x: ArrayLike) -> Forward:
    """Run the network: ``h_l = a_{l-1} W_lᵀ + b_l``, ``a_l = φ_l(h_l)``, ``a_0 = x``.

    Args:
        mlp: the network.
        x: inputs of shape ``(B, n_0)`` (batch first).

    Returns:
        :class:`Forward` with all pre-activations and activations.

    Raises:
        UsageError: ``x`` is not ``(B, n_0)``.
    """
    a = _check_input(mlp, x)
    pre: list[Array] = []
    post: list[Array] = [a]
    for w, b, act in zip(mlp.weights, mlp.biases, mlp.activations, strict=True):
        h = a @ w.T + b
        a = np.asarray(act.fn(h))
        pre.append(h)
        post.append(a)
    return Forward(pre, post)


def backward(mlp: MLP, fwd: Forward, grad_output: ArrayLike) -> Gradients:
    """Backpropagate ``∂L/∂o`` through the network (see the module docstring).

    Formulas: ``δ_L = g ⊙ φ_L'(h_L)``; ``∂L/∂W_l = δ_lᵀ a_{l-1}``;
    ``∂L/∂b_l = Σ_b δ_l``; ``δ_{l-1} = (δ_l W_l) ⊙ φ_{l-1}'(h_{l-1})``;
    ``∂L/∂x = δ_1 W_1``.

    Args:
        mlp: the network that produced ``fwd``.
        fwd: the result of ``forward(mlp, x)``.
        grad_output: ``g = ∂L/∂o``, same shape as ``fwd.output``.

    Returns:
        :class:`Gradients` for weights, biases, inputs and pre-activations.

    Raises:
        UsageError: ``fwd`` does not match ``mlp`` or ``grad_output`` has the
            wrong shape.
    """
    if len(fwd.pre) != mlp.depth or len(fwd.post) != mlp.depth + 1:
        raise expected("len(fwd.pre)", len(fwd.pre), f"{mlp.depth}, the depth of the network")
    batch = fwd.post[0].shape[0]
    for i, h in enumerate(fwd.pre):
        if h.shape != (batch, mlp.widths[i + 1]):
            raise expected(f"fwd.pre[{i}].shape", h.shape, f"{(batch, mlp.widths[i + 1])}")
    g = _float_array(grad_output, "grad_output")
    if g.shape != fwd.output.shape:
        raise expected("grad_output.shape", g.shape, f"the output's shape {fwd.output.shape}")
    depth = mlp.depth
    d_w: list[Array] = [np.empty(0)] * depth
    d_b: list[Array] = [np.empty(0)] * depth
    d_h: list[Array] = [np.empty(0)] * depth
    delta = g * mlp.activations[-1].grad(fwd.pre[-1])
    for i in range(depth - 1, -1, -1):
        d_h[i] = delta
        d_w[i] = delta.T @ fwd.post[i]
        d_b[i] = delta.sum(axis=0)
        d_a = delta @ mlp.weights[i]
        if i > 0:
            delta = d_a * mlp.activations[i - 1].grad(fwd.pre[i - 1])
    return Gradients(d_w, d_b, d_a, d_h)


def _check_grads(mlp: MLP, grads: Gradients) -> None:
    if len(grads.weights) != mlp.depth or len(grads.biases) != mlp.depth:
        raise expected("len(grads.weights)", len(grads.weights), f"{mlp.depth} layers")
    for i, (w, gw, b, gb) in enumerate(
        zip(mlp.weights, grads.weights, mlp.biases, grads.biases, strict=True)
    ):
        if np.shape(gw) != w.shape:
            raise expected(f"grads.weights[{i}].shape", np.shape(gw), f"{w.shape}")
        if np.shape(gb) != b.shape:
            raise expected(f"grads.biases[{i}].shape", np.shape(gb), f"{b.shape}")


def sgd_step(mlp: MLP, grads: Gradients, lr: float) -> MLP:
    """One plain gradient-descent step, ``θ ← θ − lr·∂L/∂θ``, as a new MLP.

    Args:
        mlp: current parameters (not modified).
        grads: gradients from :func:`backward`.
        lr: learning rate, finite and >= 0.

    Returns:
        A new :class:`MLP` with new arrays and the same activations.

    Raises:
        UsageError: bad ``lr`` or gradient shapes that do not match ``mlp``.
    """
    step = _real(lr, "lr")
    _check_grads(mlp, grads)
    return MLP(
        [w - step * gw for w, gw in zip(mlp.weights, grads.weights, strict=True)],
        [b - step * gb for b, gb in zip(mlp.biases, grads.biases, strict=True)],
        list(mlp.activations),
    )


def lars_local_lr(w: ArrayLike, grad: ArrayLike, trust: float, weight_decay: float = 0.0) -> float:
    """LARS layer-wise rate ``λ = η‖w‖ / (‖∇w‖ + β‖w‖)`` (Frobenius norms).

    When ``‖w‖ = 0`` or the denominator is 0, the ratio is undefined and
    ``λ = 1`` is used (a plain SGD step), as Optax's ``scale_by_trust_ratio`` does.

    Args:
        w: the layer's weights.
        grad: ``∇w``, same shape.
        trust: η > 0, the trust coefficient.
        weight_decay: β >= 0.

    Returns:
        λ as a float.
    """
    w_norm = float(np.linalg.norm(np.asarray(w, dtype=np.float64)))
    denom = float(np.linalg.norm(np.asarray(grad, dtype=np.float64))) + weight_decay * w_norm
    if w_norm == 0.0 or denom == 0.0:
        return 1.0
    return trust * w_norm / denom


def lars_step(
    mlp: MLP,
    grads: Gradients,
    lr: float,
    trust: float = DEFAULT_LARS_TRUST,
    weight_decay: float = 0.0,
) -> MLP:
    """One LARS step (You, Gitman & Ginsburg 2017, "Large Batch Training of CNNs").

    For each layer's weights, with global rate γ = ``lr``, trust η and weight decay β::

        λ_l = η ‖W_l‖ / (‖∇W_l‖ + β‖W_l‖)
        W_l ← W_l − γ λ_l (∇W_l + β W_l)

    Without weight decay the update has norm exactly ``γ·η·‖W_l‖`` whatever
    the gradient's scale: the step is relative to the layer's size, which is
    the book's "fix divergent terms after the fact". Biases are excluded from
    the adaptation, as common LARS implementations do (their ``‖b‖`` is 0 at
    a zero initialization, which would freeze them): ``b_l ← b_l − γ ∇b_l``.
    See :func:`lars_local_lr` for the 0/0 convention.

    Args:
        mlp: current parameters (not modified).
        grads: gradients from :func:`backward`.
        lr: global learning rate γ, finite and >= 0.
        trust: trust coefficient η > 0 (default 0.001, as in the paper).
        weight_decay: β >= 0.

    Returns:
        A new :class:`MLP`.

    Raises:
        UsageError: bad ``lr``, ``trust`` or ``weight_decay``, or gradient
            shapes that do not match ``mlp``.
    """
    step = _real(lr, "lr")
    eta = _real(trust, "trust", positive=True)
    beta = _real(weight_decay, "weight_decay")
    _check_grads(mlp, grads)
    new_w: list[Array] = []
    for w, gw in zip(mlp.weights, grads.weights, strict=True):
        local = lars_local_lr(w, gw, eta, beta)
        new_w.append(w - step * local * (np.asarray(gw) + beta * w))
    new_b = [b - step * np.asarray(gb) for b, gb in zip(mlp.biases, grads.biases, strict=True)]
    return MLP(new_w, new_b, list(mlp.activations))


def numerical_gradient(
    f: Callable[[list[Array]], float], arrays: Sequence[ArrayLike], eps: float = 1e-6
) -> list[Array]:
    """Central finite differences of a scalar function of several arrays.

    For every element ``θ`` of every array::

        ∂f/∂θ ≈ (f(θ + ε) − f(θ − ε)) / ((θ + ε) − (θ − ε))

    (the denominator is the step actually taken in floating point). The
    truncation error is O(ε²·f'''), the rounding error about
    ``u·|f| / ε`` with u = 2^-53.

    Args:
        f: called with a list of float64 arrays (copies of ``arrays``, one
            element perturbed) and returning a real scalar.
        arrays: the point at which to differentiate; not modified.
        eps: the step ε > 0.

    Returns:
        One float64 gradient array per input array, same shapes.

    Raises:
        UsageError: ``eps`` not finite and positive.
    """
    step = _real(eps, "eps", positive=True)
    work: list[Array] = [np.array(a, dtype=np.float64) for a in arrays]
    grads: list[Array] = [np.zeros_like(a) for a in work]
    for arr, grad in zip(work, grads, strict=True):
        flat, gflat = arr.reshape(-1), grad.reshape(-1)  # views: arr is contiguous
        for k in range(flat.size):
            orig = flat[k]
            up, down = orig + step, orig - step
            flat[k] = up
            f_up = float(f(work))
            flat[k] = down
            f_down = float(f(work))
            flat[k] = orig
            gflat[k] = (f_up - f_down) / (up - down)
    return grads


@dataclass(frozen=True)
class GradientCheck:
    """Backpropagation compared with finite differences, array by array.

    Attributes:
        names: ``"weights[0]", "biases[0]", ..., "inputs"``.
        analytic: gradients from :func:`backward`.
        numeric: gradients from :func:`numerical_gradient`.
        loss: the loss at the checked point.
        eps: the finite-difference step.
    """

    names: tuple[str, ...]
    analytic: list[Array]
    numeric: list[Array]
    loss: float
    eps: float

    def _norms(self, i: int) -> tuple[float, float]:
        a, n = self.analytic[i], self.numeric[i]
        return float(np.linalg.norm(a - n)), max(float(np.linalg.norm(a)), float(np.linalg.norm(n)))

    @property
    def relative_errors(self) -> dict[str, float]:
        """``‖a − n‖ / max(‖a‖, ‖n‖)`` per array (0 when both are exactly 0)."""
        out = {}
        for i, name in enumerate(self.names):
            diff, scale = self._norms(i)
            out[name] = 0.0 if diff == 0.0 else diff / scale
        return out

    @property
    def max_relative_error(self) -> float:
        """The largest of :attr:`relative_errors`."""
        return max(self.relative_errors.values())

    def noise(self, i: int) -> float:
        """Rounding allowance of array ``i``: ``√size · FD_ROUNDING_ULPS · u·|L| / ε``."""
        size = self.numeric[i].size
        return math.sqrt(size) * FD_ROUNDING_ULPS * 2.0**-53 * abs(self.loss) / self.eps

    def within(self, rtol: float) -> bool:
        """Whether ``‖a − n‖ <= rtol·max(‖a‖, ‖n‖) + noise`` for every array.

        The ``noise`` term (see :meth:`noise`) only matters for gradients too
        small to be resolved by a finite difference at all.
        """
        for i in range(len(self.names)):
            diff, scale = self._norms(i)
            if not diff <= rtol * scale + self.noise(i):  # NaN fails too
                return False
        return True

    def describe(self) -> str:
        """A one-line summary: per array, relative error, ‖difference‖ and ‖gradient‖."""
        parts = []
        for i, name in enumerate(self.names):
            diff, scale = self._norms(i)
            rel = self.relative_errors[name]
            parts.append(f"{name}: rel err {rel:.3g} (|diff| {diff:.3g}, |grad| {scale:.3g})")
        return "; ".join(parts)


def gradient_check(
    mlp: MLP,
    x: ArrayLike,
    target: ArrayLike,
    loss: str | LossFn = "squared_error",
    eps: float = 1e-6,
) -> GradientCheck:
    """Compare :func:`backward` with :func:`numerical_gradient` at one point.

    The scalar function is ``θ ↦ loss(forward(mlp_θ, x_θ).output, target)``
    over all weights, biases and the inputs, evaluated in float64.

    Args:
        mlp: the network.
        x: inputs ``(B, n_0)``.
        target: the loss's target (see :mod:`initcheck.losses`).
        loss: a name from :data:`initcheck.losses.LOSSES` or a loss function.
        eps: finite-difference step.

    Returns:
        A :class:`GradientCheck`.

    Raises:
        UsageError: bad input shapes, loss name or ``eps``.
    """
    loss_fn = get_loss(loss)
    x64 = _check_input(mlp, x).astype(np.float64)
    depth = mlp.depth
    net64 = MLP(
        [w.astype(np.float64) for w in mlp.weights],
        [b.astype(np.float64) for b in mlp.biases],
        list(mlp.activations),
    )
    fwd = forward(net64, x64)
    value, g_out = loss_fn(fwd.output, target)
    grads = backward(net64, fwd, g_out)
    names: list[str] = []
    point: list[Array] = []
    analytic: list[Array] = []
    for i in range(depth):
        names += [f"weights[{i}]", f"biases[{i}]"]
        point += [net64.weights[i], net64.biases[i]]
        analytic += [grads.weights[i], grads.biases[i]]
    names.append("inputs")
    point.append(x64)
    analytic.append(grads.inputs)

    def f(arrays: list[Array]) -> float:
        net = MLP(arrays[0:-1:2], arrays[1:-1:2], net64.activations)
        return float(loss_fn(forward(net, arrays[-1]).output, target)[0])

    numeric = numerical_gradient(f, point, eps)
    return GradientCheck(tuple(names), analytic, numeric, float(value), float(eps))


def layer_jacobians(mlp: MLP, x_single: ArrayLike) -> list[Array]:
    """Per-layer Jacobians ``M_l = ∂a_l/∂a_{l-1} = diag(φ_l'(h_l)) W_l`` at one input.

    Args:
        mlp: the network.
        x_single: one input, shape ``(n_0,)``.

    Returns:
        ``[M_1, ..., M_L]``, ``M_l`` of shape ``(n_l, n_{l-1})``.

    Raises:
        UsageError: ``x_single`` is not of shape ``(n_0,)``.
    """
    x = _float_array(x_single, "x_single")
    if x.shape != (mlp.widths[0],):
        raise expected("x_single.shape", x.shape, f"({mlp.widths[0]},), a single input")
    fwd = forward(mlp, x[None, :])
    return [
        act.grad(h[0])[:, None] * w
        for act, h, w in zip(mlp.activations, fwd.pre, mlp.weights, strict=True)
    ]


def jacobian(mlp: MLP, x_single: ArrayLike) -> Array:
    """Input–output Jacobian ``∂o/∂x = M_L ⋯ M_1`` at one input (see :func:`layer_jacobians`).

    Its singular values measure how much the network stretches or shrinks
    perturbations of ``x`` (and, transposed, gradients flowing back).

    Args:
        mlp: the network.
        x_single: one input, shape ``(n_0,)``.

    Returns:
        The Jacobian, shape ``(n_L, n_0)``.

    Raises:
        UsageError: ``x_single`` is not of shape ``(n_0,)``.
    """
    mats = layer_jacobians(mlp, x_single)
    out = mats[0]
    for m in mats[1:]:
        out = m @ out
    return out
