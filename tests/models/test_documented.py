"""Real models at their documented initialization conform to it, parameter by parameter.

The rules (``rules/*.toml``) state each scheme as its source reads in the pinned versions
(transformers 5.17.0, torch 2.13.0; ``README.md``). Each audit judges every parameter at
``alpha = AUDIT_ALPHA`` family-wise; ties and padding rows are exact facts of the model.
"""

from __future__ import annotations

import pytest

from tests.frameworks._helpers import import_framework

torch = import_framework("torch", "tox -e models installs torch 2.13.0")
transformers = import_framework("transformers", "tox -e models installs transformers 5.17.0")

import initcheck  # noqa: E402
from tests.models import factories  # noqa: E402
from tests.models._audits import conforms_parameter_by_parameter, rules_file  # noqa: E402

AUDIT_ALPHA = 1e-7  # each audit's family-wise false-alarm probability

DOCUMENTED = [
    ("gpt2_tiny", "gpt2"),
    ("bert_tiny", "bert"),
    ("llama_tiny", "llama"),
    ("torch_lstm", "torch_lstm"),
    ("torch_mha", "torch_mha"),
    ("torch_encoder_layer", "torch_encoder"),
]


@pytest.mark.false_alarm(AUDIT_ALPHA, per="item",
                         reason="one audit of a correct model at alpha 1e-7")
@pytest.mark.parametrize(("factory", "rules"), DOCUMENTED)
def test_documented_scheme_conforms_parameter_by_parameter(factory, rules):
    report = initcheck.audit(getattr(factories, factory), rules_file=rules_file(rules),
                             alpha=AUDIT_ALPHA)
    assert conforms_parameter_by_parameter(report) == []
    assert report.passed and report.unmatched == ()


@pytest.mark.false_alarm(AUDIT_ALPHA, per="item",
                         reason="one audit of a correct model (124M values a build) at alpha 1e-7")
def test_gpt2_small_conforms_with_its_twelve_layers():
    report = initcheck.audit(factories.gpt2_small, rules_file=rules_file("gpt2"),
                             variables={"n_layer": 12}, alpha=AUDIT_ALPHA)
    assert conforms_parameter_by_parameter(report) == []
    assert report.passed and len(report.parameters) == 149
    c_proj = [v for p in report.parameters if p.name.endswith("c_proj.weight") for v in p.verdicts]
    assert len(c_proj) == 24
    assert {round(v.expected_std, 12) for v in c_proj} == {round(0.02 / 24**0.5, 12)}


def _audit_without_rules(factory):
    return initcheck.audit(factory, seeds=2)


def test_tied_heads_are_reported_tied_and_judged_once():
    gpt2 = {p.name: p for p in _audit_without_rules(factories.gpt2_tiny).parameters}
    assert gpt2["lm_head.weight"].tied_to == "transformer.wte.weight"
    assert gpt2["lm_head.weight"].verdicts == () and gpt2["lm_head.weight"].kind is None
    assert gpt2["transformer.wte.weight"].tied_to is None

    bert = _audit_without_rules(factories.bert_tiny)
    ties = {p.name: p.tied_to for p in bert.parameters if p.tied_to is not None}
    assert ties == {
        "cls.predictions.decoder.weight": "bert.embeddings.word_embeddings.weight",
        "cls.predictions.decoder.bias": "cls.predictions.bias",
    }
    assert not [f for f in bert.findings if f.kind == "identical"]

    llama = {p.name: p for p in _audit_without_rules(factories.llama_tiny).parameters}
    assert llama["lm_head.weight"].tied_to is None  # tie_word_embeddings is False for Llama


def test_bert_padding_row_is_exactly_zero_in_every_build():
    report = _audit_without_rules(factories.bert_tiny)
    by_name = {p.name: p for p in report.parameters}
    words = by_name["bert.embeddings.word_embeddings.weight"]
    assert words.parameter.padding_rows == (0,)
    assert "padding row 0: exactly 0 in every build" in words.note
    assert not [f for f in report.findings if f.kind == "padding-row"]


def test_norms_and_biases_are_identified_as_their_constants():
    report = _audit_without_rules(factories.llama_tiny)
    norms = [p for p in report.parameters if p.layer == "LlamaRMSNorm"]
    assert len(norms) == 5 and {(p.kind, p.law) for p in norms} == {("constant", "ones")}
    gpt2 = _audit_without_rules(factories.gpt2_tiny)
    biases = [p for p in gpt2.parameters if p.name.endswith(".bias")]
    assert len(biases) == 13 and {(p.kind, p.law) for p in biases} == {("constant", "zeros")}
