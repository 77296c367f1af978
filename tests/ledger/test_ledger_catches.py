"""Test the tester: planted errors in the ledgers, the declarations and tox.ini are caught.

Each test changes a copy of a ledger's text, plants a test module (as source text)
or a tox.ini, and checks that the ledger's checks name what is wrong.
"""

from __future__ import annotations

import ast
import configparser
import re
import textwrap
from pathlib import Path

import pytest

from tests.ledger.budget import (
    PINNED,
    README,
    TOTAL,
    Budget,
    LedgerError,
    bound_problems,
    check_envs,
    check_ledgers,
    compute,
    expression,
    fmt,
    ledger_texts,
    rewritten,
    tables,
)
from tests.ledger.toxenvs import ToxError, read_envs

REPO = Path(__file__).resolve().parents[2]
STATS = "tests/stats/FALSE_ALARMS.md"
PROPAGATION = "tests/propagation/FALSE_ALARMS.md"
FRAMEWORKS = "tests/frameworks/FALSE_ALARMS.md"
TOX = (REPO / "tox.ini").read_text(encoding="utf-8")


def replace_cell(text: str, key: str, column: str, value: str, *, first: str = "test") -> str:
    """The text with one cell of the row ``key`` (of the table whose first column is ``first``)
    set to ``value``."""
    lines = text.splitlines()
    for table in tables(text):
        if column not in table.header or table.header[0] != first:
            continue
        for offset, cells in enumerate(table.rows):
            if cells[0].strip("`") == key:
                new = list(cells)
                new[table.header.index(column)] = value
                lines[table.start + 2 + offset] = "| " + " | ".join(new) + " |"
                return "\n".join(lines) + "\n"
    raise KeyError(f"no row {key} with a column {column}")


def first_row(budget: Budget, ledger: str) -> str:
    folder = ledger.split("/")[1]
    return next(r.key for r in budget.rows if r.folder == folder)


def plant(sources: dict[str, str], tox_text: str | None = None, *, whole: bool = False) -> Budget:
    """The budget of planted test modules (path -> source), with a tox.ini if given: of these
    modules only, or of the ``whole`` suite with them."""
    dedented = {p: textwrap.dedent(t) for p, t in sources.items()}
    paths = None if whole else sorted(dedented)
    return compute(REPO, sources=dedented, tox_text=tox_text, paths=paths)


# --- the ledgers -------------------------------------------------------------------------------


def test_the_real_ledgers_pass(budget: Budget, texts: dict[str, str]) -> None:
    assert check_ledgers(budget, texts) == []  # what the planted errors below are compared with


@pytest.mark.parametrize(
    ("ledger", "column"),
    [
        (STATS, "per CI run"),
        (STATS, "rate"),
        (PROPAGATION, "units"),
        (FRAMEWORKS, "assertions"),
        (README, "per execution"),
        (README, "envs"),
    ],
)
def test_a_wrong_number_in_a_row_is_caught(
    budget: Budget, texts: dict[str, str], ledger: str, column: str
) -> None:
    key = first_row(budget, ledger) if ledger != README else "init/test_initializers.py::test_lecun"
    wrong = {"units": "7", "assertions": "3", "envs": "py"}.get(column, "3.3e-3")
    planted = {**texts, ledger: replace_cell(texts[ledger], key, column, wrong)}
    problems = check_ledgers(budget, planted)
    assert len(problems) == 1 and key in problems[0] and column in problems[0], problems


def test_a_number_off_in_its_second_digit_is_caught(budget: Budget, texts: dict[str, str]) -> None:
    row = next(r for r in budget.rows if r.key == "init/test_initializers.py::test_lecun")
    near = fmt(row.per_ci * 1.09)  # 2.4e-5 written as 2.6e-5
    assert near != fmt(row.per_ci)
    planted = {**texts, README: replace_cell(texts[README], row.key, "per CI run", near)}
    assert len(check_ledgers(budget, planted)) == 1


def test_a_count_off_by_one_is_caught(budget: Budget, texts: dict[str, str]) -> None:
    row = next(r for r in budget.rows if r.units >= 10)  # two digits would not tell 10 from 11
    ledger = (
        README
        if row.folder not in ("stats", "propagation", "frameworks")
        else (f"tests/{row.folder}/FALSE_ALARMS.md")
    )
    planted = {**texts, ledger: replace_cell(texts[ledger], row.key, "units", str(row.units + 1))}
    [problem] = check_ledgers(budget, planted)
    assert row.key in problem and "units" in problem


def test_a_wrong_total_is_caught(budget: Budget, texts: dict[str, str]) -> None:
    planted = {**texts, STATS: replace_cell(texts[STATS], TOTAL, "per CI run", "**3.1e-5**")}
    problems = check_ledgers(budget, planted)
    assert len(problems) == 1 and "total per CI run" in problems[0], problems
    wrong_grand = replace_cell(texts[README], TOTAL, "per CI run", "**2.6e-4**", first="folder")
    problems = check_envs(wrong_grand, budget)
    assert len(problems) == 1 and "**total** per CI run" in problems[0], problems
    wrong_env = replace_cell(texts[README], "stats/", "mxnet", "—", first="folder")  # re-run
    problems = check_envs(wrong_env, budget)
    assert len(problems) == 1 and "stats/ mxnet" in problems[0], problems


def test_a_missing_or_an_unknown_row_is_caught(budget: Budget, texts: dict[str, str]) -> None:
    key = first_row(budget, STATS)
    lines = [line for line in texts[STATS].splitlines() if f"`{key}`" not in line]
    problems = check_ledgers(budget, {**texts, STATS: "\n".join(lines)})
    assert any(f"no row for {key}" in p for p in problems), problems
    extra = texts[PROPAGATION].replace(
        f"| {TOTAL} |",
        "| `propagation/test_x.py::test_y` | | 1e-6 | item | 1 | 1 | 1e-6 | py | "
        f"1e-6 |\n| {TOTAL} |",
    )
    problems = check_ledgers(budget, {**texts, PROPAGATION: extra})
    assert any("test_x.py::test_y is not a declared" in p for p in problems), problems


def test_writing_the_tables_repairs_planted_errors(budget: Budget, texts: dict[str, str]) -> None:
    key = first_row(budget, STATS)
    broken = {**texts, STATS: replace_cell(texts[STATS], key, "rate", "1e-3")}
    assert check_ledgers(budget, broken)
    assert check_ledgers(budget, rewritten(budget, broken)) == []
    assert rewritten(budget, texts) == texts  # and leaves correct ledgers as they are


# --- the declarations --------------------------------------------------------------------------


def _without_declaration(source: str, name: str) -> str:
    """The module's source with the false_alarm decorator of ``name`` removed."""
    tree = ast.parse(source)
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    deco = next(d for d in fn.decorator_list if "false_alarm" in ast.unparse(d))
    lines = source.splitlines()
    del lines[deco.lineno - 1 : deco.end_lineno]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("tests/claims/test_vanishing.py", "test_deep_sigmoid_gradient_vanishes_relu_he_keeps_it"),
        ("tests/stats/test_stats_support.py", "test_correct_normal_extremes_not_flagged"),
        ("tests/frameworks/test_torch.py", "test_xavier_uniform_law"),
        (
            "tests/pytest/test_plugin.py",
            "test_assert_conforms_passes_good_and_fails_bad_with_the_sentence",
        ),
    ],
)
def test_a_removed_declaration_is_caught(budget: Budget, path: str, name: str) -> None:
    source = (REPO / path).read_text(encoding="utf-8")
    planted = plant({path: _without_declaration(source, name)})
    key = f"{path.removeprefix('tests/')}::{name}"
    assert [p for p in planted.problems if key in p and "declares no false-alarm rate" in p]
    assert key not in {r.key for r in planted.rows}


PLANTED_TESTS = '''
    import pytest
    from hypothesis import given, settings, strategies as st
    from scipy import stats

    from initcheck import check
    from initcheck.claims.measure import t_interval
    from initcheck.cli import main
    from initcheck.stats import ks_test, orthogonality_test

    CODE = """
    from initcheck import assert_conforms, init

    def test_inner():
        assert_conforms(init.he_normal(), "he_normal")
    """


    def ks_ok(x):
        return ks_test(x, stats.norm()).pvalue > 1e-6


    def test_interval(seed):
        _, lo, hi = t_interval([1.0, 2.0, 3.0], 1e-6)
        assert lo <= 2 <= hi


    def test_through_a_helper():
        assert ks_ok([0.1, -0.2, 0.3])


    def test_a_pytester_file(pytester):
        pytester.makepyfile(test_inner=CODE)
        pytester.runpytest().assert_outcomes(passed=1)


    def test_a_verdict_command():
        assert main(["check", "m:f", "--claim", "zeros"]) == 0


    def test_a_verdict():
        assert check(lambda shape, seed: None, "zeros").passed


    def test_an_exact_check():
        assert orthogonality_test([[1.0, 0.0], [0.0, 1.0]]).pvalue == 1.0


    def test_a_command_that_is_no_verdict():
        assert main(["claims"]) == 0
'''


def test_a_new_statistical_test_without_a_declaration_is_caught(budget: Budget) -> None:
    planted = plant({"tests/claims/test_planted.py": PLANTED_TESTS})
    flagged = {
        p.split("::")[1].split(":")[0]
        for p in planted.problems
        if p.startswith("claims/test_planted.py") and "declares no false-alarm rate" in p
    }
    assert flagged == {
        "test_interval",
        "test_through_a_helper",
        "test_a_pytester_file",
        "test_a_verdict_command",
        "test_a_verdict",
    }


COUNTED = """
    import pytest
    from hypothesis import given, settings, strategies as st

    from tests.stats._budget import CALIBRATION_P, P_EXACT

    EXAMPLES = 4
    WIDTHS = [8, 16, 32]
    PER_NAME = {"a": 2, "b": 5}


    @pytest.mark.false_alarm(CALIBRATION_P, per="example", assertions=2, reason="two intervals")
    @pytest.mark.parametrize("width", WIDTHS)
    @pytest.mark.parametrize("kind", ["x", "y"])
    @settings(max_examples=EXAMPLES)
    @given(seed=st.integers())
    def test_product_of_parameters_and_examples(kind, width, seed):
        pass


    @pytest.mark.false_alarm(3 * P_EXACT, per="example", reason="nested, examples per name")
    @pytest.mark.parametrize("name", sorted(PER_NAME))
    def test_nested_given(name):
        @given(seed=st.integers())
        @settings(max_examples=PER_NAME.get(name, 1))
        def run(seed):
            pass

        run()


    @pytest.mark.false_alarm(1e-6, per="item", reason="fixed seeds")
    @pytest.mark.parametrize(("a", "b"), [(1, 2), pytest.param(3, 4, id="three")])
    def test_items_of_a_tuple_list(a, b):
        pass


    @pytest.mark.false_alarm(1e-6, per="run", reason="one shared fixture")
    @pytest.mark.parametrize("n", range(5))
    def test_once_per_run(n):
        pass
"""


def test_units_are_counted_from_the_test(budget: Budget) -> None:
    planted = plant({"tests/claims/test_counted.py": COUNTED})
    rows = {r.key.split("::")[1]: r for r in planted.rows if r.key.startswith("claims/test_co")}
    product = rows["test_product_of_parameters_and_examples"]
    assert (product.units, product.assertions, product.executions) == (2 * 3 * 4, 2, ("py",))
    assert product.per_ci == pytest.approx(1e-6 * 2 * 24)
    nested = rows["test_nested_given"]
    assert nested.units == 2 + 5 and nested.rate == pytest.approx(3e-8)
    assert rows["test_items_of_a_tuple_list"].units == 2
    assert rows["test_once_per_run"].units == 1
    assert not [p for p in planted.problems if "test_counted" in p]


FRAMEWORK_TESTS = """
    import pytest
    from hypothesis import given, settings, strategies as st

    from tests.frameworks._helpers import assert_law

    jax = pytest.importorskip("jax")


    @pytest.mark.false_alarm(1e-6, per="example", assertions=2, reason="assert_law")
    @settings(max_examples=2)
    @given(seed=st.integers())
    def test_a_jax_law(seed):
        assert_law([seed], None)
"""

CONFORMANCE = """
    import pytest

    from initcheck.conformance import run_conformance


    @pytest.mark.false_alarm(1e-6, per="item", requires="{framework}", reason="one matrix")
    @pytest.mark.parametrize("framework", ["torch", "tensorflow"])
    def test_matrix(framework):
        pytest.importorskip(framework)
        run_conformance(framework)
"""

TENSORFLOW_ENV = """

[testenv:tensorflow]
deps =
    tensorflow-cpu>=2.15
    jax>=0.4
commands =
    pytest tests/frameworks/test_planted_tf.py tests/frameworks/test_planted_jax.py \\
        tests/frameworks/test_planted_conformance.py -k "tensorflow or tf" {posargs}
"""


def test_a_framework_counts_only_where_tox_installs_it(budget: Budget) -> None:
    # the repo's own tensorflow env (if any) replaced by the planted one
    tox = re.sub(r"^\[testenv:tensorflow\]\n.*?(?=^\[)", "", TOX, count=1, flags=re.M | re.S)
    head, rest = tox.split("\n[", 1)
    tox = head.replace(", tensorflow", "") + "\n[" + rest
    tox = re.sub(r"^env_list = (.*)$", r"env_list = \1, tensorflow", tox, count=1, flags=re.M)
    assert "tensorflow" in tox.split("\n[", 1)[0]
    tox += TENSORFLOW_ENV
    planted = plant(
        {
            "tests/frameworks/test_planted_jax.py": FRAMEWORK_TESTS,
            "tests/frameworks/test_planted_tf.py": FRAMEWORK_TESTS.replace('"jax"', '"tensorflow"'),
            "tests/frameworks/test_planted_conformance.py": CONFORMANCE,
        },
        tox_text=tox,
    )
    rows = {r.key.removeprefix("frameworks/test_planted_"): r for r in planted.rows}
    # py has no jax; the tensorflow env has, but its -k leaves the jax file out
    assert rows["jax.py::test_a_jax_law"].executions == ("frameworks",)
    assert rows["tf.py::test_a_jax_law"].executions == ("tensorflow",)
    assert rows["conformance.py::test_matrix[torch]"].executions == ("frameworks",)
    assert rows["conformance.py::test_matrix[tensorflow]"].executions == ("tensorflow",)
    # the README's totals must then gain a tensorflow column
    problems = check_envs(ledger_texts(REPO)[README], planted)
    assert len(problems) == 1 and "env_list gives" in problems[0] and "tensorflow" in problems[0]


def test_over_the_bound_is_caught_and_a_needless_pin_too(budget: Budget) -> None:
    risky = """
        import pytest

        @pytest.mark.false_alarm(2e-3, per="item", reason="a verdict at alpha = 2e-3")
        def test_risky():
            pass
    """
    over = plant({"tests/cli/test_risky.py": risky}, whole=True)
    [problem] = bound_problems(over)
    assert "above the bound 1e-3" in problem and "cli/test_risky.py::test_risky" in problem
    assert bound_problems(budget) == []
    pins = {**PINNED, "claims/test_verify.py::test_every_claim_holds": "fits in the budget"}
    needless = compute(REPO, pinned=pins)
    [problem] = [p for p in bound_problems(needless) if "PINNED" in p]
    assert "claims/test_verify.py::test_every_claim_holds" in problem
    ghost = compute(REPO, pinned={"cli/test_nothing.py::test_nothing": "gone"})
    assert any("not a declared row" in p for p in ghost.problems)


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        ('2.0, per="item", reason="r"', "rate=2.0: expected a probability"),
        ('1e-6, per="sample", reason="r"', "per='sample'"),
        ('1e-6, per="item", assertions=0, reason="r"', "assertions=0"),
        ('1e-6, per="item"', "reason="),
        ('1e-6, per="item", reason="r", every=3', "unknown argument every="),
        ('UNKNOWN_RATE, per="item", reason="r"', "rate= cannot be read"),
    ],
)
def test_a_malformed_declaration_is_reported(
    budget: Budget, declaration: str, message: str
) -> None:
    source = f"""
        import pytest

        @pytest.mark.false_alarm({declaration})
        def test_declared():
            pass
    """
    planted = plant({"tests/cli/test_malformed.py": source})
    assert any("test_malformed.py::test_declared" in p and message in p for p in planted.problems)


@pytest.mark.parametrize(
    ("decorators", "message"),
    [
        (
            '@pytest.mark.false_alarm(1e-6, per="item", reason="r")\n@given(x=st.integers())',
            "per='example'",
        ),
        ('@pytest.mark.false_alarm(1e-6, per="example", reason="r")', "no @given"),
        (
            (
                '@pytest.mark.false_alarm(1e-6, per="item", reason="r")\n'
                '@pytest.mark.parametrize("x", make_values())'
            ),
            "cannot be read from the source",
        ),
    ],
)
def test_an_uncountable_or_mismatched_declaration_is_reported(
    budget: Budget, decorators: str, message: str
) -> None:
    source = (
        "import pytest\nfrom hypothesis import given, strategies as st\n\n\n"
        f"{decorators}\ndef test_declared(x=None):\n    pass\n"
    )
    planted = plant({"tests/cli/test_mismatched.py": source})
    assert any("test_mismatched.py::test_declared" in p and message in p for p in planted.problems)


# --- tox.ini -------------------------------------------------------------------------------------


def test_tox_ini_is_read_as_tox_runs_it() -> None:
    envs = {e.name: e for e in read_envs(REPO)}
    config = configparser.ConfigParser(interpolation=None)
    config.read(REPO / "tox.ini")
    assert list(envs) == [e.strip() for e in config["tox"]["env_list"].split(",")]  # tox's order, every env
    assert envs["py"].runs[0].paths == ("tests",) and envs["py"].runs[0].ignore == (
        "tests/quality",
    )
    assert len(envs["mxnet"].runs[0].paths) == 6  # a command continued over two lines
    assert {"torch", "jax", "flax", "keras"} <= envs["frameworks"].provides
    assert "torch" not in envs["py"].provides and "mxnet" in envs["mxnet"].provides
    # one pytest command per env; sphinx-build (docs) and ruff (lint) are no pytest
    assert {name: len(e.runs) for name, e in envs.items()} == {name: 0 if name == "lint" else 1 for name in envs}


@pytest.mark.parametrize(
    "command",
    [
        "pytest tests --lf",  # may change what runs: the reader says it does not know it
        "coverage run -m pytest tests",
    ],
)
def test_a_command_the_reader_does_not_know_is_an_error(command: str) -> None:
    tox = TOX.replace("pytest tests --ignore=tests/quality {posargs}", command)
    with pytest.raises(ToxError):
        read_envs(REPO, tox)


def test_keyword_and_marker_expressions() -> None:
    words = {"tensorflow", "slow"}
    assert expression("tensorflow and not torch", words.__contains__)
    assert not expression("not (slow or torch)", words.__contains__)
    assert expression("torch or (slow and tensorflow)", words.__contains__)
    for broken in ("(slow", "slow)", "slow and", "or tf"):
        with pytest.raises(LedgerError, match="expression"):
            expression(broken, words.__contains__)
