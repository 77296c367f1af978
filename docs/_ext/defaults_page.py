"""Write what each framework's defaults draw: ``docs/_generated/defaults/<framework>.md``.

Every row is :func:`initcheck.identify` run on a framework's real default (an initializer
called with no arguments, or the initializer a layer uses when given none) at seed
``SEED``: the family, the fan mode and the gain it finds, the law of the grammar that says
so, and the verdict of the :func:`initcheck.check` that confirms it at check's own shapes and
seeds. A row marked "same draws as" was not identified again: its draws equal, bit for bit,
those of the row it names at ``SAME_SHAPES`` and seeds 0 and 1 (an exact comparison), so it
has that row's law. Under each table, one sentence on what surprises, built from the rows:
the generator refuses to write it (``RuntimeError``) if the rows stop saying what it says.

The docs build has no framework installed, so these files are written where the framework
is and committed; ``docs/howto/defaults.md`` includes them. Each file names the versions it
was drawn with. ``tests/frameworks/test_defaults_page.py`` regenerates the file of every
framework its env installs and fails, with the diff, when it differs from the committed one:
a new framework version that draws otherwise fails it until the file is regenerated. From
the repository root, in the env that has the framework::

    .tox/frameworks/bin/python docs/_ext/defaults_page.py torch jax flax keras
    .tox/tensorflow/bin/python docs/_ext/defaults_page.py tensorflow
    .tox/mxnet/bin/python docs/_ext/defaults_page.py mxnet

(``KERAS_BACKEND=jax`` for keras: its file is drawn on the JAX backend, as the ``frameworks``
env runs it.)
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import importlib.util
import inspect
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "_generated" / "defaults"
SEED = 0  # the seed of every identification on the page
SAME_SHAPES = ((3, 3, 16, 32), (64, 256), (256, 64))  # where "same draws as" rows are compared
KERAS_BACKEND = "jax"  # the backend the keras file is drawn on (the frameworks env's)


@dataclass(frozen=True)
class Default:
    """One default of a framework, as its row names it.

    Attributes:
        label: the row's first cell (Markdown).
        target: ``module:attr`` that :func:`initcheck.adapters.load_target` loads, or None
            when ``read`` gives the object.
        kwargs: adapter options (``param="bias"``, ``fan_in=64``).
        read: returns the object (a layer's default, read from its signature or fields).
        ranks: the ranks to draw, for an initializer a layer uses at those ranks only
            (None: the adapter's).
        same_as: the label of a row whose draws this one's must equal bit for bit.
    """

    label: str
    target: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    read: Callable[[], Any] | None = None
    ranks: tuple[int, ...] | None = None
    same_as: str | None = None


@dataclass(frozen=True)
class Row:
    """A default and what was found.

    Attributes:
        default: the default.
        found: its identification (the named row's for a "same draws as" row).
        same_as: the label of the row whose draws it repeats, or None.
    """

    default: Default
    found: Any
    same_as: str | None = None


@dataclass(frozen=True)
class Framework:
    """One framework's section.

    Attributes:
        name: the file's name (``torch``, ``jax`` ...).
        title: the framework as the page names it.
        modules: the modules whose versions the file names.
        defaults: its rows, in order.
        surprise: the sentence under the table, from the rows (by label).
        left_out: what is not a row, and why (Markdown lines).
    """

    name: str
    title: str
    modules: tuple[str, ...]
    defaults: tuple[Default, ...]
    surprise: Callable[[dict[str, Row]], str]
    left_out: tuple[str, ...] = ()


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise RuntimeError(f"the rows no longer say what the sentence says: {what}")


def _law(rows: dict[str, Row], label: str) -> str:
    law = rows[label].found.law
    _require(law is not None, f"{label} has no law")
    return str(law)


def _signature_default(obj: Any, name: str) -> Any:
    return inspect.signature(obj).parameters[name].default


# --- PyTorch -------------------------------------------------------------------------------


def _torch_surprise(rows: dict[str, Row]) -> str:
    weights = ["`nn.Linear` weight", "`nn.Conv2d` weight", "`nn.ConvTranspose2d` weight"]
    laws = {_law(rows, w) for w in weights}
    _require(laws == {"he_uniform(a=2.2360679775)"}, f"module weights draw {laws}")
    linear = rows[weights[0]].found.rule
    _require(linear.named is not None and linear.named.startswith("1/√3"), "Linear's gain is not 1/√3")
    he = rows["`kaiming_uniform_()`"].found.rule
    _require(he.named is not None and he.named.startswith("√2"), "kaiming_uniform_'s gain is not √2")
    bias = rows["`nn.Linear` bias (fan_in 64)"].found
    bound = 1 / math.sqrt(64)
    _require(bias.law == f"uniform(a={bound:g})", f"the bias draws {bias.law}")
    _require(rows[weights[2]].found.rule.mode == "fan_in", "ConvTranspose2d's mode is not fan_in")
    return (f"`nn.Linear`, `nn.Conv2d` and `nn.ConvTranspose2d` do not draw He's law: their weights are "
            f"U(±1/√fan_in), `he_uniform(a=√5)` with gain {linear.gain:.4f} = 1/√3 where `kaiming_uniform_()`'s is "
            f"{he.gain:.4f} = √2, their biases are not zeros but U(±1/√fan_in) of the weight's fan_in "
            f"(`{bias.law}` for a fan_in of 64), and `ConvTranspose2d`'s fan_in is axis 1 of its "
            "`(in, out, *k)` weight: its output channels times the kernel.")


TORCH = Framework(
    "torch", "PyTorch", ("torch",),
    (
        Default("`uniform_()`", "torch.nn.init:uniform_"),
        Default("`normal_()`", "torch.nn.init:normal_"),
        Default("`trunc_normal_()`", "torch.nn.init:trunc_normal_"),
        Default("`xavier_uniform_()`", "torch.nn.init:xavier_uniform_"),
        Default("`xavier_normal_()`", "torch.nn.init:xavier_normal_"),
        Default("`kaiming_uniform_()`", "torch.nn.init:kaiming_uniform_"),
        Default("`kaiming_normal_()`", "torch.nn.init:kaiming_normal_"),
        Default("`orthogonal_()`", "torch.nn.init:orthogonal_"),
        Default("`zeros_()`", "torch.nn.init:zeros_"),
        Default("`ones_()`", "torch.nn.init:ones_"),
        Default("`nn.Linear` weight", "torch.nn:Linear"),
        Default("`nn.Linear` bias (fan_in 64)", "torch.nn:Linear", {"param": "bias", "fan_in": 64}),
        Default("`nn.Conv2d` weight", "torch.nn:Conv2d"),
        Default("`nn.Conv2d` bias (fan_in 64)", "torch.nn:Conv2d", {"param": "bias", "fan_in": 64}),
        Default("`nn.ConvTranspose2d` weight", "torch.nn:ConvTranspose2d"),
        Default("`nn.Embedding` weight", "torch.nn:Embedding"),
    ),
    _torch_surprise,
    (
        "`constant_`, `sparse_`: no default for their value or sparsity",
        "`eye_`, `dirac_`: the same matrix for every seed (not a draw of a law)",
        "`nn.LSTM`, `nn.MultiheadAttention` and other modules: their parameters are not built from "
        "one weight shape, which is what a sampler takes",
    ),
)


# --- JAX ------------------------------------------------------------------------------------


def _jax_surprise(rows: dict[str, Row]) -> str:
    truncated = ["`lecun_normal()`", "`he_normal()`", "`glorot_normal()`"]
    kinds = {rows[t].found.kind for t in truncated}
    _require(kinds == {"truncated_normal"}, f"the *_normal initializers draw {kinds}")
    uniform = _law(rows, "`uniform()`")
    _require(uniform.startswith("uniform(low=0,"), f"uniform() draws {uniform}")
    return ("`lecun_normal()`, `he_normal()` and `glorot_normal()` are normals cut at ±2 sds and rescaled to "
            f"their variance (`{_law(rows, truncated[1])}`), not PyTorch's untruncated `kaiming_normal_`, "
            f"and `uniform()` draws above zero only: `{uniform}`.")


_J = "jax.nn.initializers:"
JAX = Framework(
    "jax", "JAX", ("jax", "jaxlib"),
    tuple(Default(f"`{name}()`", _J + name) for name in (
        "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal",
        "normal", "uniform", "truncated_normal", "orthogonal")) + (
        Default("`zeros`", _J + "zeros"),
        Default("`ones`", _J + "ones"),
    ),
    _jax_surprise,
    (
        "`variance_scaling`, `constant`: no defaults for their arguments",
        "`delta_orthogonal`: an orthogonal matrix at the kernel's centre and zeros elsewhere, not iid",
        "`xavier_*`, `kaiming_*`: the same objects as `glorot_*`, `he_*`",
    ),
)


# --- Flax -----------------------------------------------------------------------------------


def _linen_field(layer: str, name: str) -> Callable[[], Any]:
    def read() -> Any:
        import flax.linen as nn

        return getattr(nn, layer).__dataclass_fields__[name].default

    return read


def _nnx_argument(layer: str, name: str) -> Callable[[], Any]:
    def read() -> Any:
        from flax import nnx

        return _signature_default(getattr(nnx, layer).__init__, name)

    return read


def _flax_surprise(rows: dict[str, Row]) -> str:
    lecun = rows["`initializers.lecun_normal()`"].found
    _require(lecun.kind == "truncated_normal" and lecun.rule.mode == "fan_in", f"lecun_normal draws {lecun.law}")
    same = [label for label, row in rows.items() if row.same_as == "`initializers.lecun_normal()`"]
    _require(len(same) == 4, f"the kernels with lecun_normal's draws: {same}")
    embed = rows["`linen.Embed` embedding_init"].found
    _require(embed.kind == "normal" and embed.rule.mode == "fan_out" and embed.rule.named == "1",
             f"Embed draws {embed.law}")
    return ("`Dense`, `Conv` and their `nnx` versions draw what `lecun_normal()` draws, key for key, a truncated "
            f"normal (`{lecun.law}`), while `Embed` draws an untruncated normal whose fan is the embedding width, "
            f"fan_out of its `(num_embeddings, features)` table: `{embed.law}`.")


FLAX = Framework(
    "flax", "Flax", ("flax", "jax"),
    (
        Default("`initializers.lecun_normal()`", "flax.linen.initializers:lecun_normal"),
        Default("`linen.Dense` kernel_init", read=_linen_field("Dense", "kernel_init"),
                same_as="`initializers.lecun_normal()`"),
        Default("`linen.Conv` kernel_init", read=_linen_field("Conv", "kernel_init"),
                same_as="`initializers.lecun_normal()`"),
        Default("`nnx.Linear` kernel_init", read=_nnx_argument("Linear", "kernel_init"),
                same_as="`initializers.lecun_normal()`"),
        Default("`nnx.Conv` kernel_init", read=_nnx_argument("Conv", "kernel_init"),
                same_as="`initializers.lecun_normal()`"),
        Default("`linen.Dense` bias_init", read=_linen_field("Dense", "bias_init")),
        Default("`linen.Embed` embedding_init", read=_linen_field("Embed", "embedding_init"), ranks=(2,)),
        Default("`nnx.Embed` embedding_init", read=_nnx_argument("Embed", "embedding_init"), ranks=(2,),
                same_as="`linen.Embed` embedding_init"),
    ),
    _flax_surprise,
    ("`flax.linen.initializers`: the same objects as `jax.nn.initializers` (the JAX table)",),
)


# --- Keras 3 --------------------------------------------------------------------------------


def _keras_layer(layer: str, name: str) -> Callable[[], Any]:
    def read() -> Any:
        import keras

        return keras.initializers.get(_signature_default(getattr(keras.layers, layer).__init__, name))

    return read


def _keras_label(layer: str, name: str) -> str:
    import keras

    return f"`layers.{layer}` {name}={_signature_default(getattr(keras.layers, layer).__init__, name)!r}"


def _keras_surprise(rows: dict[str, Row]) -> str:
    normals = ["`GlorotNormal()`", "`HeNormal()`", "`LecunNormal()`", "`VarianceScaling()`"]
    kinds = {rows[t].found.kind for t in normals}
    _require(kinds == {"truncated_normal"}, f"the variance-scaling normals draw {kinds}")
    dense = next(r for label, r in rows.items() if label.startswith("`layers.Dense` kernel"))
    _require(dense.same_as == "`GlorotUniform()`" and dense.found.law == "xavier_uniform", "Dense is not Glorot")
    embedding = next(r for label, r in rows.items() if label.startswith("`layers.Embedding`"))
    _require(embedding.same_as == "`RandomUniform()`" and embedding.found.rule.mode == "constant",
             "Embedding's default does not draw RandomUniform's law")
    return ("`Dense` and `Conv2D` kernels draw Glorot's uniform law (`xavier_uniform`), not He's; every "
            "variance-scaling normal is a truncated normal (`GlorotNormal()` is "
            f"`{_law(rows, normals[0])}`); and `Embedding` draws `{embedding.found.law}` whatever its width.")


_K = "keras.initializers:"
KERAS = Framework(
    "keras", "Keras 3", ("keras", "jax"),
    tuple(Default(f"`{name}()`", _K + name) for name in (
        "RandomNormal", "RandomUniform", "TruncatedNormal", "GlorotUniform", "GlorotNormal", "HeUniform",
        "HeNormal", "LecunUniform", "LecunNormal", "VarianceScaling", "Orthogonal", "Zeros", "Ones")),
    _keras_surprise,
    (
        "`Constant()`: its default value 0 draws what `Zeros()` draws",
        "`Identity`, `STFT`: not random (an identity matrix, Fourier kernels)",
        "snake_case names (`glorot_uniform` ...): the same classes",
    ),
)


def _keras_layers() -> tuple[Default, ...]:
    """The layer rows: their labels name the default read from the layer's signature."""
    out = []
    for layer, name, same in (("Dense", "kernel_initializer", "`GlorotUniform()`"),
                              ("Dense", "bias_initializer", "`Zeros()`"),
                              ("Conv2D", "kernel_initializer", "`GlorotUniform()`"),
                              ("Embedding", "embeddings_initializer", "`RandomUniform()`")):
        out.append(Default(_keras_label(layer, name), read=_keras_layer(layer, name), same_as=same,
                           ranks=(2,) if layer == "Embedding" else None))
    return tuple(out)


# --- TensorFlow -----------------------------------------------------------------------------


def _tensorflow_surprise(rows: dict[str, Row]) -> str:
    pairs = [("`random_normal_initializer()`", "`compat.v1.random_normal_initializer()`"),
             ("`random_uniform_initializer()`", "`compat.v1.random_uniform_initializer()`")]
    laws = [(_law(rows, a), _law(rows, b)) for a, b in pairs]
    _require(all(a != b for a, b in laws), f"TF1 and TF2 draw the same: {laws}")
    (n2, n1), (u2, u1) = laws
    return (f"The same names draw different laws in TF2 and TF1: `random_normal_initializer()` is `{n2}` but "
            f"`compat.v1.random_normal_initializer()` is `{n1}`, and `random_uniform_initializer()` is `{u2}` "
            f"but its TF1 namesake `{u1}`.")


_T, _V1 = "tensorflow:", "tensorflow.compat.v1:"
TENSORFLOW = Framework(
    "tensorflow", "TensorFlow", ("tensorflow",),
    tuple(Default(f"`{name}()`", _T + name) for name in (
        "random_normal_initializer", "random_uniform_initializer", "zeros_initializer", "ones_initializer")) + tuple(
        Default(f"`compat.v1.{name}()`", _V1 + name) for name in (
            "random_normal_initializer", "random_uniform_initializer", "truncated_normal_initializer",
            "glorot_uniform_initializer", "glorot_normal_initializer", "variance_scaling_initializer",
            "orthogonal_initializer")),
    _tensorflow_surprise,
    (
        "`tf.keras.initializers`: the Keras 3 classes (the Keras table)",
        "`constant_initializer()`: its default value 0 draws what `zeros_initializer()` draws",
    ),
)


# --- MXNet ----------------------------------------------------------------------------------


def _gluon_default() -> Any:
    import mxnet as mx

    return _signature_default(mx.gluon.Block.initialize, "init")


def _mxnet_surprise(rows: dict[str, Row]) -> str:
    gluon = rows["`gluon.Block.initialize()` init"]
    _require(gluon.same_as == "`Uniform()`" and gluon.found.rule.mode == "constant", "Gluon's default moved")
    orthogonal = _law(rows, "`Orthogonal()`")
    _require(orthogonal == "orthogonal(gain=1.414)", f"Orthogonal() draws {orthogonal}")
    failed: dict[str, list[str]] = {}
    for label, r in rows.items():
        if r.same_as is None and r.found.kind not in ("constant", "fixed"):
            c = r.found.confirmation
            _require(c is not None and not c.passed, f"{label} passes its check")
            for check in sorted({f.check for f in c.findings}):
                failed.setdefault(check, []).append(label)
    _require("seed-shift" in failed, "no seed-shift finding")
    by_check = "; ".join(f"{', '.join(labels)} on `{check}`" for check, labels in sorted(failed.items()))
    return (f"Gluon's default (`Block.initialize()`) draws `{gluon.found.law}` whatever a layer's width, "
            f"`Orthogonal()` scales by 1.414 rather than √2 (`{orthogonal}`), and no random initializer passes "
            f"its check: {by_check} (`seed-shift`: seed s + 1 repeats seed s's values, shifted).")


_M = "mxnet.init:"
MXNET = Framework(
    "mxnet", "MXNet", ("mxnet",),
    tuple(Default(f"`{name}()`", _M + name) for name in (
        "Uniform", "Normal", "Xavier", "MSRAPrelu", "Orthogonal", "Zero", "One")) + (
        Default("`gluon.Block.initialize()` init", read=_gluon_default, same_as="`Uniform()`"),
    ),
    _mxnet_surprise,
    ("`Constant`: no default value", "`Bilinear`, `LSTMBias`, `FusedRNN`, `Load`, `Mixed`: not a law of draws"),
)

FRAMEWORKS: dict[str, Framework] = {f.name: f for f in (TORCH, JAX, FLAX, KERAS, TENSORFLOW, MXNET)}


# --- drawing ----------------------------------------------------------------------------------


def _adapted(default: Default) -> Any:
    from initcheck.adapters import adapt, load_target

    obj = load_target(default.target) if default.target is not None else default.read()
    adapted = adapt(obj, **default.kwargs)
    return dataclasses.replace(adapted, ranks=default.ranks) if default.ranks is not None else adapted


def _same_draws(a: Any, b: Any) -> bool:
    """Whether two samplers draw the same values at ``SAME_SHAPES`` (those their ranks allow), seeds 0, 1."""
    ranks = a.ranks or b.ranks
    shapes = [s for s in SAME_SHAPES if ranks is None or len(s) in ranks]
    return bool(shapes) and all(np.array_equal(np.asarray(a(s, seed)), np.asarray(b(s, seed)))
                                for s in shapes for seed in (0, 1))


def identify_rows(framework: Framework, log: Callable[[str], None] = lambda _: None) -> list[Row]:
    """Every row of ``framework``: identified and confirmed, or the same draws as an earlier row."""
    from initcheck.identification import identify

    defaults = framework.defaults + (_keras_layers() if framework is KERAS else ())
    rows: dict[str, Row] = {}
    samplers: dict[str, Any] = {}
    for d in defaults:
        start = time.perf_counter()
        adapted = samplers[d.label] = _adapted(d)
        twin = d.same_as
        if twin is not None and _same_draws(adapted, samplers[twin]):
            rows[d.label] = Row(d, rows[twin].found, twin)
        else:
            rows[d.label] = Row(d, identify(adapted, seed=SEED, target=d.target))
        log(f"{framework.name}: {d.label} in {time.perf_counter() - start:.1f} s")
    return list(rows.values())


# --- the page ---------------------------------------------------------------------------------

_FAMILY = {"truncated_normal": "truncated normal"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _short(named: str) -> str:
    return named.split(" (")[0]


def _mode(found: Any) -> str:
    rule = found.rule
    if rule is None:
        return "—"
    if rule.mode == "constant":
        return "none: one sd"
    if rule.mode is None:
        return "ambiguous: " + ", ".join(rule.ambiguous) if rule.ambiguous else "none fits"
    return str(rule.mode)


def _gain(found: Any) -> str:
    rule = found.rule
    if found.kind == "orthogonal":
        return f"{found.descriptions[0].gain:.4g}"
    if rule is None or rule.mode is None:
        return "—"
    if rule.mode == "constant":
        return f"sd {rule.gain:.4g}"
    return f"{rule.gain:.4f}" + (f" = {_short(rule.named)}" if rule.named else "")


def _verdict(found: Any) -> str:
    if found.confirmation is None:
        return "—"
    if found.confirmation.passed:
        return "conforms"
    return "**does not conform**: " + ", ".join(sorted({f.check for f in found.confirmation.findings}))


def _versions(modules: Sequence[str]) -> str:
    out = []
    for name in modules:
        module = importlib.import_module(name)
        out.append(f"{name} {getattr(module, '__version__', '?')}")
    if "keras" in modules:
        import keras

        out.append(f"on the {keras.backend.backend()} backend")
    return ", ".join(out)


def render(framework: Framework, rows: Sequence[Row]) -> str:
    """The Markdown of ``framework``'s file."""
    by_label = {r.default.label: r for r in rows}
    lines = [f"% generated by docs/_ext/defaults_page.py {framework.name}: do not edit", "",
             f"Drawn with {_versions(framework.modules)}; every identification at seed {SEED}.", "",
             "| default | family | fan mode | gain | law | check |", "|---|---|---|---|---|---|"]
    findings = []
    for r in rows:
        found = r.found
        if r.same_as is not None:
            lines.append(f"| {r.default.label} | same draws as {r.same_as} | | | `{_cell(found.law or '—')}` | |")
            continue
        family = _FAMILY.get(found.kind, found.kind)
        law = f"`{_cell(found.law)}`" if found.law else f"none: {_cell(found.because)}"
        lines.append(f"| {r.default.label} | {family} | {_mode(found)} | {_gain(found)} | {law} | "
                     f"{_verdict(found)} |")
        if found.confirmation is not None and not found.confirmation.passed:
            findings += [f"- {r.default.label}: {_cell(s)}" for s in found.confirmation.sentences()[:1]]
    lines += ["", framework.surprise(by_label), ""]
    if findings:
        lines += ["The first finding of each check that does not conform:", "", *findings, ""]
    lines += ["Not in the table:", "", *(f"- {x}" for x in framework.left_out), ""]
    return "\n".join(lines)


def generate(name: str, log: Callable[[str], None] = lambda _: None) -> str:
    """Identify ``name``'s defaults and return its file's text (nothing is written)."""
    if name == "keras":
        os.environ.setdefault("KERAS_BACKEND", KERAS_BACKEND)
    framework = FRAMEWORKS[name]
    return render(framework, identify_rows(framework, log))


def main(argv: Sequence[str] | None = None) -> int:
    """Write the files of the frameworks named (default: every one that imports)."""
    parser = argparse.ArgumentParser(description="write docs/_generated/defaults/<framework>.md")
    parser.add_argument("frameworks", nargs="*", metavar="FRAMEWORK",
                        help=f"any of {', '.join(FRAMEWORKS)} (default: every one installed)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.frameworks if n not in FRAMEWORKS]
    if unknown:
        parser.error(f"framework={unknown[0]!r}: expected one of {', '.join(FRAMEWORKS)}")
    names = args.frameworks or [n for n in FRAMEWORKS if importlib.util.find_spec(FRAMEWORKS[n].modules[0])]
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names:
        start = time.perf_counter()
        text = generate(name, lambda line: print(line, file=sys.stderr, flush=True))
        (OUT / f"{name}.md").write_text(text, encoding="utf-8")
        print(f"wrote {OUT / f'{name}.md'} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
