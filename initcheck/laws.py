"""The law grammar (``--law``): a law's name and parameters, and what it means for a shape.

A law is what an initializer promises its draws follow (the chapter's statements
are *claims*, :mod:`initcheck.claims`). It is written ``name`` or
``name(key=value, ...)``; values are numbers or bare words, and a law's leading parameters may also be given by position
(``constant(0.5)``, ``uniform(0.07)``). :func:`parse_law` reads the text;
:func:`target_law` turns it, for one weight shape and layout, into a
:class:`TargetLaw`: every entry exactly one value (``constant``), iid draws
from a frozen ``scipy.stats`` law (``iid``), or a Haar (semi-)orthogonal
matrix (``orthogonal``).

The laws are defined here from their formulas, independently of
:mod:`initcheck.init` (the reference initializers are checked against them).
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from scipy import stats

from ._deprecations import module_getattr
from .errors import UsageError, expected
from .fans import compute_fans, fan_for_mode, matrix_shape, validate_shape
from .gains import NONLINEARITIES, calculate_gain

__all__ = ["LAWS", "Law", "LawDef", "TargetLaw", "evaluate", "parse_law", "target_law"]

TRUNCATION_STD = 0.87962566103423978  # std of N(0, 1) cut to [-2, 2] (Keras/JAX's divisor)
Value = float | str


@dataclass(frozen=True)
class Law:
    """A parsed law: its canonical name and every parameter (defaults filled in)."""

    name: str
    params: dict[str, Value]

    def __str__(self) -> str:
        shown = ", ".join(f"{k}={_show(v)}" for k, v in self.params.items())
        return f"{self.name}({shown})" if shown else self.name


def _show(v: Value) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


@dataclass(frozen=True)
class TargetLaw:
    """What a law means for one shape.

    Attributes:
        kind: ``constant``, ``iid`` or ``orthogonal``.
        law: the frozen scipy law of each entry (``iid``), else None.
        value: the constant (``constant``).
        gain: the orthogonal matrix's gain (``orthogonal``).
        matrix: ``(rows, cols)`` the array is reshaped to (``orthogonal``).
        description: the law in words, with its numbers.
    """

    kind: Literal["constant", "iid", "orthogonal"]
    description: str
    law: Any = None
    value: float = 0.0
    gain: float = 1.0
    matrix: tuple[int, int] = (0, 0)


Params = dict[str, Value]
Builder = Callable[[Params, tuple[int, ...], str], TargetLaw]


@dataclass(frozen=True)
class LawDef:
    """A law of the grammar: its parameters (in positional order) with defaults, and its formula."""

    name: str
    params: tuple[tuple[str, Value | None], ...]  # None: required
    formula: str
    build: Builder = field(repr=False)
    aliases: tuple[str, ...] = ()
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)  # parameters taking bare words


def _f(p: Params, k: str) -> float:
    return float(p[k])  # type: ignore[arg-type]


def _fans(shape: tuple[int, ...], layout: str):
    return compute_fans(shape, layout)


def _normal(std: float, mean: float = 0.0) -> TargetLaw:
    return TargetLaw("iid", f"N({mean:g}, {std:.6g}²)", stats.norm(mean, std))


def _uniform(low: float, high: float) -> TargetLaw:
    return TargetLaw("iid", f"U({low:.6g}, {high:.6g})", stats.uniform(low, high - low))


def _scaled(var: float, distribution: str) -> TargetLaw:
    if distribution == "uniform":
        limit = math.sqrt(3 * var)
        return _uniform(-limit, limit)
    if distribution == "truncated_normal":
        parent = math.sqrt(var) / TRUNCATION_STD
        return TargetLaw("iid", f"N(0, {parent:.6g}²) cut at ±{2 * parent:.6g}", stats.truncnorm(-2, 2, scale=parent))
    return _normal(math.sqrt(var))


def _gain(p: Params) -> float:
    return calculate_gain(str(p["nonlinearity"]), _f(p, "a"))


def _he(distribution: str) -> Builder:
    def build(p: Params, shape: tuple[int, ...], layout: str) -> TargetLaw:
        fan = fan_for_mode(_fans(shape, layout), str(p["mode"]))
        return _scaled(_gain(p) ** 2 / fan, distribution)
    return build


def _xavier(distribution: str) -> Builder:
    def build(p: Params, shape: tuple[int, ...], layout: str) -> TargetLaw:
        return _scaled(_f(p, "gain") ** 2 / _fans(shape, layout).fan_avg, distribution)
    return build


def _lecun(distribution: str) -> Builder:
    return lambda p, shape, layout: _scaled(1.0 / _fans(shape, layout).fan_in, distribution)


def _uniform_law(p: Params, shape: tuple[int, ...], layout: str) -> TargetLaw:
    if p.get("a") is not None:
        if p.get("low") is not None or p.get("high") is not None:
            raise expected("uniform", dict(p), "either a, or low and high")
        return _uniform(-_f(p, "a"), _f(p, "a"))
    if p.get("low") is None or p.get("high") is None:
        raise expected("uniform", dict(p), "a, or both low and high")
    if not _f(p, "low") < _f(p, "high"):
        raise expected("uniform", dict(p), "low < high")
    return _uniform(_f(p, "low"), _f(p, "high"))


def _truncated(p: Params, shape: tuple[int, ...], layout: str) -> TargetLaw:
    m, s, a, b = (_f(p, k) for k in ("mean", "std", "a", "b"))
    if not a < b:
        raise expected("truncated_normal", dict(p), "a < b")
    law = stats.truncnorm((a - m) / s, (b - m) / s, loc=m, scale=s)
    return TargetLaw("iid", f"N({m:g}, {s:.6g}²) cut to [{a:g}, {b:g}]", law)


def _orthogonal(p: Params, shape: tuple[int, ...], layout: str) -> TargetLaw:
    if len(shape) < 2:
        raise expected("shape", shape, "at least 2 dimensions for an orthogonal matrix")
    rows, cols = matrix_shape(shape, layout)
    g = _f(p, "gain")
    return TargetLaw("orthogonal", f"Haar orthogonal {rows}x{cols} times {g:g}", gain=g, matrix=(rows, cols))


def _constant(value: float) -> Builder:
    return lambda p, shape, layout: TargetLaw("constant", f"every entry {value:g}", value=value)


MODES = ("fan_in", "fan_out", "fan_avg")
HE_PARAMS: tuple[tuple[str, Value | None], ...] = (("a", 0.0), ("mode", "fan_in"), ("nonlinearity", "leaky_relu"))
HE_WORDS = {"mode": ("fan_in", "fan_out"), "nonlinearity": NONLINEARITIES}

_DEFS = (
    LawDef("zeros", (), "every entry exactly 0", _constant(0.0)),
    LawDef("ones", (), "every entry exactly 1", _constant(1.0)),
    LawDef("constant", (("value", None),), "every entry exactly value",
           lambda p, shape, layout: TargetLaw("constant", f"every entry {_f(p, 'value'):g}", value=_f(p, "value"))),
    LawDef("normal", (("mean", 0.0), ("std", None)), "iid N(mean, std²)",
           lambda p, shape, layout: _normal(_f(p, "std"), _f(p, "mean"))),
    LawDef("uniform", (("a", None), ("low", None), ("high", None)), "iid U(-a, a), or U(low, high)", _uniform_law),
    LawDef("mxnet_default", (), "iid U(-0.07, 0.07), MXNet's default weight initialization",
           lambda p, shape, layout: _uniform(-0.07, 0.07)),
    LawDef("xavier_uniform", (("gain", 1.0),), "U(-a, a), a = gain·sqrt(6/(fan_in + fan_out))", _xavier("uniform"),
           ("glorot_uniform",)),
    LawDef("xavier_normal", (("gain", 1.0),), "N(0, gain²·2/(fan_in + fan_out)), untruncated", _xavier("normal"),
           ("glorot_normal",)),
    LawDef("he_uniform", HE_PARAMS, "U(-b, b), b = gain·sqrt(3/fan), gain from the nonlinearity (PyTorch: "
           "leaky_relu with slope a by default, sqrt(2) at a = 0)", _he("uniform"), ("kaiming_uniform",), HE_WORDS),
    LawDef("he_normal", HE_PARAMS, "N(0, gain²/fan), untruncated, gain as for he_uniform", _he("normal"),
           ("kaiming_normal",), HE_WORDS),
    LawDef("lecun_uniform", (), "U(-b, b), b = sqrt(3/fan_in)", _lecun("uniform")),
    LawDef("lecun_normal", (), "N(0, 1/fan_in), untruncated", _lecun("normal")),
    LawDef("orthogonal", (("gain", 1.0),), "Haar (semi-)orthogonal matrix of shape (shape[0], rest), times gain",
           _orthogonal),
    LawDef("truncated_normal", (("mean", 0.0), ("std", 1.0), ("a", -2.0), ("b", 2.0)),
           "N(mean, std²) conditioned on [a, b] (PyTorch: std of the parent, a and b absolute)", _truncated),
    LawDef("variance_scaling", (("scale", 1.0), ("mode", "fan_in"), ("distribution", "truncated_normal")),
           "variance scale/n, n = fan_in, fan_out or their mean (Keras/JAX); truncated_normal cuts at ±2 parent "
           "std with the parent std divided by 0.8796…; normal/untruncated_normal; uniform",
           lambda p, shape, layout: _scaled(
               _f(p, "scale") / fan_for_mode(_fans(shape, layout), str(p["mode"])),
               "normal" if p["distribution"] == "untruncated_normal" else str(p["distribution"])),
           (), {"mode": MODES, "distribution": ("truncated_normal", "normal", "untruncated_normal", "uniform")}),
)

#: every name and alias -> its definition
LAWS: dict[str, LawDef] = {name: d for d in _DEFS for name in (d.name,) + d.aliases}

_CLAIM_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*$", re.S)
_NUMBER_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_POSITIVE = {"std", "gain", "scale", "a"}  # must be > 0 (except he's slope a, which is ≥ 0)


def parse_law(text: str, names: Mapping[str, float] | None = None) -> Law:
    """Parse ``name`` or ``name(key=value, ...)`` into a :class:`Law`.

    A number may be written as an arithmetic expression (``+ - * / **``, parentheses,
    ``sqrt``, ``log``, ``exp``, ``pi``, ``e``) and use the ``names`` given
    (``normal(std=0.02/sqrt(2*n_layer))`` with ``names={"n_layer": 12}``).

    Raises:
        UsageError: unknown or malformed law, unknown parameter, bad value.

    >>> str(parse_law("glorot_uniform(gain=2)"))
    'xavier_uniform(gain=2)'
    >>> str(parse_law("uniform(0.07)"))
    'uniform(a=0.07)'
    >>> str(parse_law("normal(std=0.02/sqrt(2*n_layer))", {"n_layer": 12}))
    'normal(mean=0, std=0.00408248)'
    """
    if not isinstance(text, str):
        raise expected("law", text, "a law such as xavier_uniform or normal(std=0.01)")
    m = _CLAIM_RE.match(text)
    if not m:
        raise expected("law", text, "name or name(key=value, ...), e.g. normal(std=0.01)")
    name, args = m.group(1), m.group(2)
    if name not in LAWS:
        raise expected("law", text, f"a law name, one of {', '.join(sorted(LAWS))}")
    law = LAWS[name]
    variables = names or {}
    names = [k for k, _ in law.params]
    given: dict[str, Value] = {}
    if args is not None and args.strip():
        parts = _split_args(args, text)
        for pos, part in enumerate(parts):
            if "=" in part:
                key, raw = (s.strip() for s in part.split("=", 1))
            elif pos < len(names) and not any("=" in q for q in parts[:pos]):
                key, raw = names[pos], part
            else:
                raise expected("law", text, f"key=value parameters of {law.name}: {', '.join(names) or 'none'}")
            if key not in names:
                raise expected(f"{law.name} parameter", key, f"one of {', '.join(names) or '(none)'}")
            if key in given:
                raise expected(f"{law.name} parameter", key, "each parameter once")
            given[key] = _value(law, key, raw, text, variables)
    params: dict[str, Value] = {}
    for key, default in law.params:
        value = given.get(key, default)
        if value is None and not (law.name == "uniform"):
            raise expected("law", text, f"a value for {key} ({law.name}({', '.join(names)}))")
        if value is not None:
            params[key] = value
    if law.name == "uniform":
        _uniform_law(params, (1,), "torch")  # validates a vs low/high now, not per shape
    if law.name == "truncated_normal" and not _f(params, "a") < _f(params, "b"):
        raise expected("truncated_normal", text, "a < b")
    return Law(law.name, params)


def _split_args(args: str, text: str) -> list[str]:
    """The parameters' texts, split at the commas outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(args):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            raise expected("law", text, "balanced parentheses")
        if ch == "," and depth == 0:
            parts.append(args[start:i].strip())
            start = i + 1
    if depth:
        raise expected("law", text, "balanced parentheses")
    return parts + [args[start:].strip()]


_OPERATORS: dict[type, Callable[..., float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.Pow: operator.pow, ast.USub: operator.neg, ast.UAdd: operator.pos,
}
_FUNCTIONS: dict[str, Callable[[float], float]] = {"sqrt": math.sqrt, "log": math.log, "exp": math.exp}
_CONSTANTS = {"pi": math.pi, "e": math.e}


def evaluate(expression: str, names: Mapping[str, float] | None = None) -> float:
    """The value of an arithmetic ``expression`` over numbers, ``names``, ``pi``, ``e`` and
    ``sqrt``/``log``/``exp`` (nothing else is evaluated).

    >>> evaluate("0.02 / sqrt(2 * n)", {"n": 2})
    0.01

    Raises:
        UsageError: not such an expression, an unknown name, or no finite value.
    """
    known = {**_CONSTANTS, **(names or {})}

    def value(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in known:
                raise expected("name", node.id, f"a number or one of {', '.join(sorted(known))}")
            return float(known[node.id])
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](value(node.left), value(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](value(node.operand))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS
                and len(node.args) == 1 and not node.keywords):
            return _FUNCTIONS[node.func.id](value(node.args[0]))
        raise expected("expression", expression, "numbers, names, + - * / **, sqrt, log, exp")

    try:
        tree = ast.parse(expression.strip(), mode="eval")
        v = value(tree.body)
    except SyntaxError:
        raise expected("expression", expression, "an arithmetic expression such as 0.02/sqrt(24)") from None
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        if isinstance(err, UsageError):
            raise
        raise expected("expression", expression, f"an expression with a value ({err})") from None
    if not math.isfinite(v):
        raise expected("expression", expression, "a finite value")
    return v


def _value(law: LawDef, key: str, raw: str, text: str, names: Mapping[str, float]) -> Value:
    words = law.words.get(key)
    if words is not None:
        if raw not in words:
            raise expected(f"{law.name} {key}", raw, f"one of {', '.join(words)}")
        return raw
    if _NUMBER_RE.match(raw) or raw in ("inf", "-inf"):
        v = float(raw)
    elif any(ch in raw for ch in "+-*/()") or raw in names:
        v = evaluate(raw, names)  # an arithmetic expression, or a name given
    else:
        raise expected(f"{law.name} {key}", raw, "a number")
    if not math.isfinite(v):
        raise expected(f"{law.name} {key}", raw, "a finite number")
    he_slope = key == "a" and law.name in ("he_uniform", "he_normal")
    bound = key == "a" and law.name == "truncated_normal"  # truncated_normal's a and b are absolute bounds
    if key in _POSITIVE and not he_slope and not bound and v <= 0:
        raise expected(f"{law.name} {key}", raw, "a positive number")
    if he_slope and v < 0:
        raise expected(f"{law.name} {key}", raw, "a non-negative slope")
    return v


def target_law(law: Law | str, shape: tuple[int, ...], layout: str = "torch") -> TargetLaw:
    """What ``law`` means for an array of ``shape`` in ``layout``.

    >>> target_law("xavier_uniform", (64, 32)).description
    'U(-0.25, 0.25)'
    """
    c = parse_law(law) if isinstance(law, str) else law
    dims = validate_shape(shape)
    compute_fans(dims, layout)  # validates the layout
    return LAWS[c.name].build(c.params, dims, layout)


__getattr__ = module_getattr(__name__, {
    "Claim": ("initcheck.laws.Law", lambda: Law),
    "parse_claim": ("initcheck.laws.parse_law", lambda: parse_law),
})
