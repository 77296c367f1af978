"""Rules, blocks, TOML files and the laws' arithmetic: exact parsing, one-line errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from initcheck.auditing.rules import applicable, load_rules, parse_block, parse_rule
from initcheck.errors import UsageError
from initcheck.laws import evaluate, parse_law


def test_arithmetic_in_a_law_is_the_closed_form():
    law = parse_law("normal(std=0.02/sqrt(2*n_layer))", {"n_layer": 12})
    assert law.params["std"] == pytest.approx(0.02 / math.sqrt(24), rel=1e-15)
    assert parse_law("uniform(low=-1/sqrt(128), high=1/sqrt(128))").params["high"] == pytest.approx(128**-0.5)


@pytest.mark.parametrize("text", ["__import__('os')", "a.b", "sqrt(2, 3)", "1/0", "log(-1)", "x", "2**2000", "[1]"])
def test_only_arithmetic_is_evaluated(text):
    with pytest.raises(UsageError) as err:
        evaluate(text)
    assert "\n" not in str(err.value)


def test_a_rule_with_block_layout_and_law():
    r = parse_rule("*.in_proj_weight[0:64, :]@torch=xavier_uniform")
    assert (r.pattern, r.block.index, r.layout, str(r.law)) == (
        "*.in_proj_weight", (slice(0, 64), slice(None)), "torch", "xavier_uniform(gain=1)")
    assert parse_rule("w=fixed").fixed


@pytest.mark.parametrize("text", ["=zeros", "w", "w[0:=zeros", "w[x]=zeros", "w[::0]=zeros", "w@tf2=zeros",
                                  "w=nolaw", "w=normal(std=-1)"])
def test_malformed_rules_are_one_line_errors(text):
    with pytest.raises(UsageError) as err:
        parse_rule(text)
    assert "\n" not in str(err.value)


def test_blocks_index_like_numpy():
    a = np.arange(24).reshape(6, 4)
    for text, expect in (("[0:2]", a[0:2]), ("[:, 1:3]", a[:, 1:3]), ("[-1]", a[-1]), ("[::2, ::-1]", a[::2, ::-1])):
        assert np.array_equal(parse_block(text).of(a), expect)
    with pytest.raises(UsageError):
        parse_block("[0, 0, 0]").of(a)
    with pytest.raises(UsageError):
        parse_block("[7]").of(a)
    with pytest.raises(UsageError):
        parse_block("[4:4]").of(a)


def test_the_last_matching_rule_wins_per_block():
    rules = [parse_rule(t) for t in ("*.weight=normal(std=0.02)", "h.*.c_proj.weight=normal(std=0.01)",
                                     "*.weight[0:4]=zeros", "x.weight=ones")]
    chosen = applicable(rules, "h.3.c_proj.weight")
    assert [r.text for r in chosen] == ["h.*.c_proj.weight=normal(std=0.01)", "*.weight[0:4]=zeros"]
    assert applicable(rules, "bias") == []


def test_a_toml_file_with_vars(tmp_path):
    f = tmp_path / "r.toml"
    f.write_text('[vars]\nn_layer = 12\n[[rule]]\nparameter = "h.*.c_proj.weight"\n'
                 'law = "normal(std=0.02/sqrt(2*n_layer))"\nblock = "[0:8]"\nlayout = "keras"\n')
    rules, names = load_rules(f)
    assert names == {"n_layer": 12.0}
    assert rules[0].block.text == "[0:8]" and rules[0].layout == "keras"
    assert rules[0].law.params["std"] == pytest.approx(0.02 / math.sqrt(24))
    assert load_rules(f, {"n_layer": 2})[0][0].law.params["std"] == pytest.approx(0.01)


@pytest.mark.parametrize("body", ["[[rule]]\nparameter = 1\nlaw = 'zeros'\n", "[[rule]]\nlaw = 'zeros'\n",
                                  "[vars]\nn = 'x'\n", "[other]\n", "[[rule]]\nparameter='a'\nlaw='zeros'\nwhat=1\n",
                                  "not toml ["])
def test_bad_rules_files_are_one_line_errors(tmp_path, body):
    f = tmp_path / "bad.toml"
    f.write_text(body)
    with pytest.raises(UsageError) as err:
        load_rules(f)
    assert "\n" not in str(err.value)
    with pytest.raises(UsageError):
        load_rules(tmp_path / "missing.toml")
