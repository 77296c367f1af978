"""The PyTorch adapter against real PyTorch: seeds, global RNG, dtypes, layouts, laws.

Laws are written here from PyTorch's documented formulas (fans by hand).
Statistical assertions: 4 calls of ``assert_law`` per Hypothesis example,
2 examples each (see FALSE_ALARMS.md).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

torch = pytest.importorskip("torch", reason="PyTorch is not installed: tox -e frameworks")

from initcheck.adapters import adapt, conformance, excluded, load_target
from initcheck.errors import UsageError
from initcheck.stats import orthogonality_test
from tests.frameworks._helpers import assert_law, draw_many, row_shape, same

SEEDS = st.integers(0, 2**31 - 1)
FEW = settings(max_examples=3, deadline=None)
STAT = settings(max_examples=2, deadline=None)
init = torch.nn.init


# --- every conformance row loads, adapts and draws ----------------------------------------


@pytest.mark.parametrize("row", conformance("torch"), ids=lambda r: r.name)
def test_conformance_row_adapts_and_draws(row):
    a = adapt(load_target(row.target), **row.kwargs)
    assert (a.layout, a.framework, a.dtype_name) == ("torch", "torch", row.kwargs.get("dtype", "float32"))
    for shape in row.shapes or (row_shape(row, "torch"),):
        x = a(shape, 11)
        assert isinstance(x, np.ndarray) and x.shape == shape and x.dtype == np.float32
        assert np.isfinite(x).all()
        assert same(x, a(shape, 11))


@pytest.mark.parametrize("row", excluded("torch"), ids=lambda r: r.name)
def test_excluded_targets_exist(row):
    assert callable(load_target(row.target))


# --- seeds and global state -------------------------------------------------------------------

SEEDED = [
    (init.xavier_uniform_, {}, (32, 16)),
    (init.kaiming_normal_, {"mode": "fan_out", "nonlinearity": "relu"}, (16, 8, 3, 3)),
    (init.trunc_normal_, {"a": 2.0, "b": 3.0}, (64,)),  # rejection sampler path
    (init.orthogonal_, {}, (8, 12)),
    (init.sparse_, {"sparsity": 0.5}, (10, 6)),  # draws zero positions from the global RNG
    (torch.nn.Linear, {}, (5, 7)),
    (torch.nn.Conv2d, {"param": "bias", "fan_in": 9}, (6,)),
]


@FEW
@given(seed=SEEDS)
def test_same_seed_same_draw_different_seed_different_draw(seed):
    for fn, kw, shape in SEEDED:
        a = adapt(fn, **kw)
        x = a(shape, seed)
        assert same(x, a(shape, seed)), a.name
        assert not np.array_equal(x, a(shape, seed + 1)), a.name


@FEW
@given(seed=SEEDS)
def test_global_rng_state_untouched(seed):
    torch.manual_seed(1234)
    before = torch.random.get_rng_state().clone()
    np_before = np.random.get_state()[1].copy()
    for fn, kw, shape in SEEDED:
        adapt(fn, **kw)(shape, seed)
    assert torch.equal(torch.random.get_rng_state(), before)
    assert np.array_equal(np.random.get_state()[1], np_before)


def test_function_without_generator_uses_a_forked_seeded_global_rng():
    def global_normal_(tensor, std=1.0):
        with torch.no_grad():
            return tensor.normal_(0.0, std)  # the global generator, no `generator` parameter

    a = adapt(global_normal_, std=0.5)
    assert a.framework == "torch"
    before = torch.random.get_rng_state().clone()
    x = a((4, 5), 3)
    assert same(x, a((4, 5), 3)) and not np.array_equal(x, a((4, 5), 4))
    assert torch.equal(torch.random.get_rng_state(), before)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(3)
        expected = torch.empty(4, 5).normal_(0.0, 0.5).numpy()
    assert same(x, expected)  # replayable with torch alone


def test_draw_replays_with_torch_alone():
    x = adapt(init.kaiming_uniform_, a=0.1)((6, 4), 21)
    t = torch.empty(6, 4)
    init.kaiming_uniform_(t, a=0.1, generator=torch.Generator().manual_seed(21))
    assert same(x, t.numpy())


def test_large_seeds_are_folded_deterministically():
    a = adapt(init.normal_)
    x = a((3, 3), 2**40)
    assert same(x, a((3, 3), 2**40)) and not np.array_equal(x, a((3, 3), 2**40 + 1))


# --- dtypes and layouts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dtype", "np_dtype", "name"),
    [
        ("float64", np.float64, "float64"),
        (torch.float64, np.float64, "float64"),
        ("float16", np.float16, "float16"),
        ("bfloat16", np.float32, "bfloat16"),  # returned as float32, which holds bfloat16 exactly
    ],
)
def test_dtypes(dtype, np_dtype, name):
    for target in (init.xavier_normal_, torch.nn.Linear):
        a = adapt(target, dtype=dtype)
        x = a((16, 8), 0)
        assert a.dtype_name == name and x.dtype == np_dtype and x.shape == (16, 8)
    bf = adapt(init.normal_, dtype="bfloat16")((1000,), 0)
    assert np.array_equal(torch.from_numpy(bf).to(torch.bfloat16).float().numpy(), bf)


def test_bad_dtype_is_a_usage_error():
    with pytest.raises(UsageError, match="dtype"):
        adapt(init.normal_, dtype="int64")


def test_module_shapes_follow_the_torch_layout():
    assert adapt(torch.nn.Linear)((5, 7), 0).shape == (5, 7)  # (out, in) -> Linear(7, 5)
    assert adapt(torch.nn.Conv1d)((6, 4, 3), 0).shape == (6, 4, 3)
    assert adapt(torch.nn.Conv2d, groups=2)((6, 4, 3, 3), 0).shape == (6, 4, 3, 3)  # in = 4 * 2
    assert adapt(torch.nn.ConvTranspose2d)((4, 6, 3, 3), 0).shape == (4, 6, 3, 3)  # (in, out, *k)
    assert adapt(torch.nn.Embedding)((10, 3), 0).shape == (10, 3)
    assert adapt(torch.nn.Linear, param="bias", fan_in=9)((5,), 0).shape == (5,)


@pytest.mark.parametrize(
    ("cls", "kw", "shape"),
    [
        (torch.nn.Conv2d, {}, (6, 4)),
        (torch.nn.Linear, {}, (6, 4, 3)),
        (torch.nn.Linear, {"param": "bias", "fan_in": 4}, (6, 4)),
    ],
)
def test_module_shape_of_the_wrong_rank_is_a_usage_error(cls, kw, shape):
    with pytest.raises(UsageError, match="shape"):
        adapt(cls, **kw)(shape, 0)


@pytest.mark.parametrize(
    ("obj", "kw", "words"),
    [
        (init.calculate_gain, {}, "fills a tensor in place"),
        (torch.nn.ReLU, {}, "module class"),
        (torch.nn.LazyLinear, {}, "lazy module"),
        (init.xavier_uniform_, {"gian": 2.0}, "bad keyword"),
        (init.normal_, {"generator": None}, "adapter sets them"),
        (torch.nn.Linear, {"param": "bias"}, "fan_in"),
        (torch.nn.Linear, {"param": "weight", "fan_in": 3}, "fan_in"),
        (torch.nn.Linear, {"param": "running_mean"}, "weight or bias"),
        (torch.nn.Embedding, {"param": "bias", "fan_in": 3}, "param"),
        (torch.nn.Conv2d, {"no_such": 1}, "cannot be constructed"),
    ],
)
def test_recognition_errors_are_usage_errors(obj, kw, words):
    with pytest.raises(UsageError, match=words):
        adapt(obj, **kw)


def test_misbehaving_initializer_is_not_a_usage_error():
    def raises_(tensor):
        raise RuntimeError("broken initializer")

    def forgets_(tensor):
        return torch.zeros_like(tensor)  # returns a new tensor instead of filling

    with pytest.raises(RuntimeError, match="broken"):
        adapt(raises_)((2, 2), 0)
    # entries the initializer did not fill are NaN, not leftover memory
    assert np.isnan(adapt(forgets_)((2, 2), 0)).all()
    with pytest.raises(NotImplementedError):  # PyTorch has no half QR: the draw fails
        adapt(init.orthogonal_, dtype="float16")((4, 4), 0)


# --- the documented laws -----------------------------------------------------------------------


@pytest.mark.false_alarm(
    1e-6, per="example", assertions=2, reason="assert_law: KS and variance p > 1e-6 each"
)
@STAT
@given(seed=SEEDS)
def test_xavier_uniform_law(seed):
    # torch layout (64, 32): fan_in 32, fan_out 64; U(-a, a), a = sqrt(6 / 96)
    a = math.sqrt(6 / (32 + 64))
    assert_law(draw_many(adapt(init.xavier_uniform_), (64, 32), seed), stats.uniform(-a, 2 * a))


@pytest.mark.false_alarm(
    1e-6, per="example", assertions=2, reason="assert_law: KS and variance p > 1e-6 each"
)
@STAT
@given(seed=SEEDS)
def test_kaiming_normal_fan_out_law(seed):
    # (32, 16, 3, 3): fan_out = 32 * 9 = 288; relu gain sqrt(2): N(0, 2 / 288), untruncated
    sampler = adapt(init.kaiming_normal_, mode="fan_out", nonlinearity="relu")
    assert_law(draw_many(sampler, (32, 16, 3, 3), seed), stats.norm(0, math.sqrt(2 / 288)))


@pytest.mark.false_alarm(
    1e-6, per="example", assertions=2, reason="assert_law: KS and variance p > 1e-6 each"
)
@STAT
@given(seed=SEEDS)
def test_trunc_normal_rejection_path_law(seed):
    # a=2, b=3 absolute: N(0, 1) conditioned on [2, 3] (mass 0.021 < 0.3: PyTorch's rejection sampler)
    sampler = adapt(init.trunc_normal_, a=2.0, b=3.0)
    assert_law(draw_many(sampler, (200,), seed), stats.truncnorm(2.0, 3.0))


@pytest.mark.false_alarm(
    1e-6, per="example", assertions=2, reason="assert_law: KS and variance p > 1e-6 each"
)
@STAT
@given(seed=SEEDS)
def test_linear_default_weight_law_is_not_he(seed):
    # nn.Linear(30, 50): kaiming_uniform_(a=sqrt(5)) = U(+-1/sqrt(30))
    b = 1 / math.sqrt(30)
    assert_law(draw_many(adapt(torch.nn.Linear), (50, 30), seed), stats.uniform(-b, 2 * b))


def test_linear_default_bias_bound():
    x = draw_many(adapt(torch.nn.Linear, param="bias", fan_in=64), (500,), 0, n=20_000)
    # U(+-1/sqrt(64)) stays within its bound and reaches near it
    assert 0.99 / 8 < np.abs(x).max() <= 1 / 8


def test_orthogonal_is_orthogonal_with_its_gain():
    for shape in ((8, 12), (12, 8), (6, 2, 3)):
        q = adapt(init.orthogonal_, gain=2.0)(shape, 5).reshape(shape[0], -1)
        r = orthogonality_test(q.astype(np.float64), 2.0, rtol=1e-5)
        assert r.pvalue == 1.0, str(r)


@pytest.mark.parametrize("nonlinearity", ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                                          "conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu",
                                          "leaky_relu", "selu"])
@pytest.mark.parametrize("slope", [None, 0.0, 0.2, 2.2360679775])
def test_gain_table_is_pytorchs(nonlinearity, slope):
    from initcheck import gains

    assert gains.calculate_gain(nonlinearity, slope) == pytest.approx(
        init.calculate_gain(nonlinearity, slope), rel=1e-15)


# --- ranks: a module class builds weights of one rank only ---------------------------------------


@pytest.mark.parametrize(
    ("cls", "kw", "ranks"),
    [
        (torch.nn.Linear, {}, (2,)),
        (torch.nn.Embedding, {}, (2,)),
        (torch.nn.Conv1d, {}, (3,)),
        (torch.nn.Conv2d, {}, (4,)),
        (torch.nn.Conv3d, {}, (5,)),
        (torch.nn.ConvTranspose1d, {}, (3,)),
        (torch.nn.ConvTranspose2d, {}, (4,)),
        (torch.nn.ConvTranspose3d, {}, (5,)),
        (torch.nn.Linear, {"param": "bias", "fan_in": 4}, (1,)),
        (torch.nn.Conv2d, {"param": "bias", "fan_in": 9}, (1,)),
        (init.xavier_uniform_, {}, None),  # an in-place function fills any shape
    ],
)
def test_adapters_declare_the_ranks_they_build(cls, kw, ranks):
    a = adapt(cls, **kw)
    assert a.ranks == ranks
    if ranks is not None:  # the declaration is true: it builds a shape of that rank, and not another
        a((4,) * ranks[0], 0)
        with pytest.raises(UsageError, match="shape"):
            a((4,) * (ranks[0] + 1), 0)


_HE_SQRT5 = "he_uniform(a=2.2360679775)"  # PyTorch's module default: U(+-1/sqrt(fan_in))


@pytest.mark.false_alarm(1e-6, per="item", assertions=2,
                         reason="two verdicts (Linear, Conv2d) at the default alpha, seed 0")
def test_module_defaults_conform_at_the_default_shapes_they_can_build():
    from initcheck import check
    from initcheck.planning import DEFAULT_SHAPES

    for cls, rank in ((torch.nn.Linear, 2), (torch.nn.Conv2d, 4)):
        report = check(adapt(cls), _HE_SQRT5, target=f"torch.nn:{cls.__name__}")
        assert report.passed, report.sentences()
        assert [p.shape for p in report.shapes] == [s for s in DEFAULT_SHAPES if len(s) == rank]
        assert report.left_out_shapes == tuple(s for s in DEFAULT_SHAPES if len(s) != rank)
        assert "left out" in report.summary() and "--shape" not in report.reproducer


@pytest.mark.false_alarm(0, reason="the sampler is never called: a usage error before drawing")
def test_a_given_shape_a_module_cannot_build_is_a_usage_error(capsys):
    from initcheck.cli import main

    assert main(["check", "torch.nn:Linear", "--law", _HE_SQRT5, "--shape", "64x32", "--shape", "16x8x3x3"]) == 2
    err = capsys.readouterr().err
    assert err == ("initcheck: error: shape=(16, 8, 3, 3): expected a shape the sampler can build: of rank 2 "
                   "(this one has rank 4)\n")
    assert main(["check", "torch.nn:Linear", "--law", "uniform(a=0.125)", "--kwarg", "param=bias",
                 "--kwarg", "fan_in=64"]) == 2  # a bias (rank 1): no default shape is left
    assert "ranks=(1,)" in capsys.readouterr().err


@pytest.mark.false_alarm(3.4e-7, per="item", assertions=2, reason="two statistical rows conform, each at alpha/3 of "
                         "the matrix; the workers draw the same values (the same event); zeros_ is exact")
def test_conformance_in_worker_processes_gives_the_same_matrix(monkeypatch):
    import json

    from initcheck import conformance as conf_module
    from initcheck.render import jsonable

    wanted = ("zeros_", "Linear.weight", "Conv2d.bias (fan_in=288)")
    rows = tuple(r for r in conformance("torch") if r.name in wanted)
    monkeypatch.setattr(conf_module, "conformance", lambda framework: rows)  # workers get the rows
    out = {jobs: conf_module.run_conformance("torch", jobs=jobs) for jobs in (1, 2)}
    assert [r.row.name for r in out[2].rows] == list(wanted)
    assert all(r.status == "conforms" for r in out[2].rows), [r.summary() for r in out[2].rows]
    assert json.dumps(jsonable(out[1].to_dict())) == json.dumps(jsonable(out[2].to_dict()))
