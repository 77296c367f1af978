"""load_target and adapt without any framework: errors, plain samplers, the tables' shape.

Runs in every environment (the default one has no framework installed). A
framework missing at import time is simulated by blocking its import
(``sys.modules[name] = None``), which is what Python does for a module that
is not installed, so the install hint is tested for every framework.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from initcheck import adapters, init
from initcheck.adapters import FRAMEWORKS, Adapted, adapt, conformance, excluded, load_target
from initcheck.adapters._common import check_seed, seed32
from initcheck.errors import UsageError

# --- a plain sampler of this module, named by the load_target tests ---------------------------


def plain_sampler(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=shape)


def scaled_sampler(shape: tuple[int, ...], seed: int, scale: float = 1.0) -> np.ndarray:
    return scale * np.random.default_rng(seed).normal(size=shape)


NOT_CALLABLE = 42
HERE = __name__


def block(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    """Make ``module`` and its submodules unimportable, as if not installed, for one test."""
    for name in [m for m in sys.modules if m == module or m.startswith(module + ".")] + [module]:
        monkeypatch.setitem(sys.modules, name, None)


# --- load_target ---------------------------------------------------------------------------


def test_load_target_colon_and_dotted_forms():
    assert load_target(f"{HERE}:plain_sampler") is plain_sampler
    assert load_target(f"{HERE}.plain_sampler") is plain_sampler
    assert load_target("initcheck.init:xavier_uniform") is init.xavier_uniform
    # a dotted path after the colon
    assert load_target("initcheck:init.xavier_uniform") is init.xavier_uniform


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("no_such_module_xyz:f", ["no_such_module_xyz", "not importable"]),
        ("no_such_module_xyz.f", ["no_such_module_xyz", "not importable"]),
        (f"{HERE}:no_such_attr", ["no attribute", "no_such_attr"]),
        (f"{HERE}:plain_sampler.nope", ["no attribute", "nope"]),
        (f"{HERE}:NOT_CALLABLE", ["not callable", "int"]),
        ("initcheck.init", ["not a module", "callable"]),
        ("initcheck:init", ["is a module"]),
        ("", ["expected module:attr"]),
        ("a b:c", ["expected module:attr"]),
        ("mod:", ["expected module:attr"]),
    ],
)
def test_load_target_errors_are_one_line_usage_errors(text, words):
    with pytest.raises(UsageError) as err:
        load_target(text)
    message = str(err.value)
    assert "\n" not in message
    for w in words:
        assert w in message


@pytest.mark.parametrize("name", sorted(FRAMEWORKS))
def test_missing_framework_gives_install_hint(name, monkeypatch):
    fw = FRAMEWORKS[name]
    block(monkeypatch, fw.module)
    with pytest.raises(UsageError) as err:
        load_target(f"{fw.module}.initializers:something")
    message = str(err.value)
    assert f"pip install 'initcheck[{fw.extra}]'" in message
    assert "\n" not in message


@pytest.mark.parametrize(("alias", "module"), [("mx", "mxnet"), ("tf", "tensorflow")])
def test_short_aliases_name_the_framework(alias, module, monkeypatch):
    block(monkeypatch, module)
    with pytest.raises(UsageError, match=rf"initcheck\[{module}\]"):
        load_target(f"{alias}.init:Xavier")


def test_framework_that_fails_on_import_is_a_usage_error(tmp_path, monkeypatch):
    # A module that is installed but raises while importing (as mxnet 1.9.1 does with numpy 2).
    (tmp_path / "broken_init_lib.py").write_text(
        "raise AttributeError(\"module 'numpy' has no attribute 'bool'\")\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(UsageError, match="failed to import: AttributeError"):
        load_target("broken_init_lib:f")


# --- adapt: plain samplers and errors ---------------------------------------------------------


def test_adapt_plain_sampler_is_returned_as_is():
    a = adapt(plain_sampler)
    assert isinstance(a, Adapted)
    assert a.sampler is plain_sampler
    assert (a.layout, a.framework, a.dtype_name) == ("torch", "python", None)
    assert a.name.endswith("plain_sampler")
    assert np.array_equal(a((3, 2), 5), plain_sampler((3, 2), 5))


def test_adapt_plain_sampler_layout_and_kwargs():
    a = adapt(scaled_sampler, layout="keras", scale=2.0)
    assert a.layout == "keras"
    assert np.array_equal(a((4,), 1), 2.0 * plain_sampler((4,), 1))
    with pytest.raises(UsageError, match="layout"):
        adapt(plain_sampler, layout="nchw")
    with pytest.raises(UsageError, match="dtype"):
        adapt(plain_sampler, dtype="float32")


def test_adapt_reference_factory_with_kwargs():
    a = adapt(init.xavier_uniform, gain=2.0)
    assert a.framework == "python" and a.name == "xavier_uniform(gain=2.0)"
    assert np.array_equal(a((8, 4), 3), init.xavier_uniform(2.0)((8, 4), 3))
    k = adapt(init.lecun_normal, layout="keras")
    assert k.layout == "keras"
    assert np.array_equal(k((8, 4), 3), init.lecun_normal(layout="keras")((8, 4), 3))
    with pytest.raises(UsageError, match="cannot be constructed"):
        adapt(init.xavier_uniform, no_such_option=1)


def test_adapt_an_adapted_sampler_is_idempotent():
    a = adapt(plain_sampler)
    assert adapt(a) is a
    assert adapt(a, layout="keras").layout == "keras"


@pytest.mark.parametrize("obj", [42, "torch.nn.init.xavier_uniform_", None, np, [plain_sampler]])
def test_adapt_unknown_object_is_a_usage_error(obj):
    with pytest.raises(UsageError) as err:
        adapt(obj)
    message = str(err.value)
    assert (
        "expected a sampler (shape, seed) -> array, or an initializer from torch, jax, flax"
        in message
    )
    assert "\n" not in message


def test_misbehaving_plain_sampler_is_not_a_usage_error():
    def raises(shape, seed):
        raise RuntimeError("boom")

    def returns_none(shape, seed):
        return None

    a = adapt(raises)  # recognizing it is fine
    with pytest.raises(RuntimeError, match="boom"):
        a((2, 2), 0)
    assert adapt(returns_none)((2, 2), 0) is None


def test_look_alike_without_its_framework(monkeypatch):
    # First parameter `tensor`: a PyTorch-style in-place initializer, e.g. timm's trunc_normal_.
    def fill_(tensor, std=1.0):
        return tensor

    block(monkeypatch, "torch")
    with pytest.raises(UsageError, match=r"looks like a torch initializer.*initcheck\[torch\]"):
        adapt(fill_)


# --- options, seeds, frameworks, tables ---------------------------------------------------------


def test_parse_options():
    opts = adapters.parse_options(
        ["gain=2", "a=0.1", "mode=fan_out", "bias=false", "fan_in=64", "x=none"]
    )
    assert opts == {"gain": 2, "a": 0.1, "mode": "fan_out", "bias": False, "fan_in": 64, "x": None}
    with pytest.raises(UsageError, match="key=value"):
        adapters.parse_options(["gain"])


@settings(max_examples=50)
@given(seed=st.integers(0, 2**80))
def test_seed32_is_identity_below_2_32_and_32_bit_above(seed):
    s = seed32(seed)
    assert 0 <= s < 2**32
    assert s == seed32(seed)
    if seed < 2**32:
        assert s == seed


@pytest.mark.parametrize("seed", [-1, 1.5, True, "3", None])
def test_bad_seed_is_a_usage_error(seed):
    with pytest.raises(UsageError, match="seed"):
        check_seed(seed)


def test_frameworks_table():
    assert set(FRAMEWORKS) == {"torch", "jax", "flax", "keras", "tensorflow", "mxnet"}
    layouts = {name: fw.layout for name, fw in FRAMEWORKS.items()}
    assert layouts == {
        "torch": "torch",
        "mxnet": "torch",
        "jax": "keras",
        "flax": "keras",
        "keras": "keras",
        "tensorflow": "keras",
    }
    assert {name: fw.extra for name, fw in FRAMEWORKS.items()} == {n: n for n in FRAMEWORKS}
    assert FRAMEWORKS["torch"].install_hint == "pip install 'initcheck[torch]'"


@pytest.mark.parametrize("name", sorted(FRAMEWORKS))
def test_conformance_tables_are_well_formed(name):
    rows = conformance(name)
    assert rows, f"{name}: empty conformance table"
    assert len({(r.target, tuple(sorted(r.kwargs.items()))) for r in rows}) == len(rows), (
        "duplicate rows"
    )
    assert len({r.name for r in rows}) == len(rows), "duplicate names"
    for r in rows:
        assert ":" in r.target and r.law and isinstance(r.kwargs, dict)
        assert "fans" in r.note and "normal" in r.note, (
            f"{r.name}: the note must state fans and 'normal'"
        )
    for e in excluded(name):
        assert e.reason and ":" in e.target
    with pytest.raises(UsageError, match="framework"):
        conformance("caffe")


def test_importing_adapters_and_tables_imports_no_framework():
    code = (
        "import sys, initcheck, initcheck.adapters as A\n"
        "[A.conformance(f) for f in A.FRAMEWORKS]\n"
        "print([m for m in ('torch', 'jax', 'flax', 'keras', 'tensorflow', 'mxnet') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
