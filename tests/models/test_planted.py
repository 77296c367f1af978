"""Model-level bugs planted in real models, each caught by the audit and named.

Each bug is planted the way it ships (``factories.py``): a generic init applied after
construction, a seed set again before a layer, a packed matrix drawn whole, a checkpoint
re-initialized, a parameter left as ``torch.empty`` gave it. Where the same audit also judges
correct parameters (whose verdicts must conform for the failures to be exactly the planted
ones), or a correct control is audited, the test risks ``AUDIT_ALPHA`` per audit; the planted
errors themselves are far beyond the verdicts' tolerance (variance ratios 4 and 1/2 over
thousands of values a build) or exact (identical bytes, padding rows, ``fixed``).
"""

from __future__ import annotations

import pytest

from tests.frameworks._helpers import import_framework

torch = import_framework("torch", "tox -e models installs torch 2.13.0")
transformers = import_framework("transformers", "tox -e models installs transformers 5.17.0")

import initcheck  # noqa: E402
from tests.models import factories  # noqa: E402
from tests.models._audits import (  # noqa: E402
    conforms_parameter_by_parameter,
    failing,
    named_in_findings,
    rules_file,
)

AUDIT_ALPHA = 1e-7  # each audit's family-wise false-alarm probability
E = factories.WIDTH
BLOCKS = [f"in_proj_weight[{i * E}:{(i + 1) * E}]" for i in range(3)]  # Q, K and V
QKV_RULES = [f"{block}=xavier_uniform" for block in BLOCKS]
ADAPTER = ["*.lora_A=he_uniform(a=sqrt(5))", "*.lora_B=zeros"]


def _audit(factory, file=None, **options):
    """The audit at ``AUDIT_ALPHA`` with the rules of ``rules/FILE.toml`` (and ``options``)."""
    return initcheck.audit(factory, rules_file=None if file is None else rules_file(file),
                           alpha=AUDIT_ALPHA, **options)


@pytest.mark.false_alarm(AUDIT_ALPHA, per="item",
                         reason="the correct parameters' verdicts at alpha 1e-7; the c_proj "
                         "variance is 4x the rule's over 4,096+ values a build (miss negligible)")
def test_skipped_residual_scaling_is_caught_on_each_c_proj():
    report = _audit(factories.gpt2_residual_scale_bug, "gpt2")
    c_proj = {f"transformer.h.{i}.{part}.c_proj.weight"
              for i in range(factories.N_LAYER) for part in ("attn", "mlp")}
    assert failing(report) == c_proj
    assert {f.kind for f in report.findings} <= {"rule-pooled"}
    assert not report.passed


@pytest.mark.false_alarm(0, per="item", reason="identical parameters: an exact comparison")
def test_a_seed_set_again_before_a_layer_makes_it_a_copy():
    report = initcheck.audit(factories.encoder_reused_seed_bug, seeds=2)
    drawn = ["self_attn.in_proj_weight", "self_attn.out_proj.weight", "linear1.weight",
             "linear1.bias", "linear2.weight", "linear2.bias"]  # zeros and ones are equal anyway
    pairs = {f.parameters for f in report.findings if f.kind == "identical"}
    assert pairs == {(f"layers.0.{n}", f"layers.1.{n}") for n in drawn}
    assert not report.passed


@pytest.mark.false_alarm(0, per="item", reason="identical parameters: an exact comparison")
def test_torch_transformer_encoder_starts_its_layers_as_copies():
    report = initcheck.audit(factories.torch_encoder_stack, seeds=2)
    identical = named_in_findings(report, "identical")
    assert {"layers.1.self_attn.in_proj_weight", "layers.1.linear2.weight"} <= identical
    assert not report.passed


@pytest.mark.false_alarm(AUDIT_ALPHA, per="item",
                         reason="the control's audit at alpha 1e-7; each packed block's variance "
                         "is half the rule's over 4,096 values a build (miss negligible)")
def test_packed_qkv_drawn_as_one_matrix_fails_each_blocks_rule():
    control = _audit(factories.mha_blocks_each_own, rules=QKV_RULES)
    assert [p.name for p in control.parameters if p.verdicts] == ["in_proj_weight"]
    assert control.passed, control.sentences()
    bug = _audit(factories.mha_packed_as_one_bug, rules=QKV_RULES)
    assert failing(bug) == set(BLOCKS)
    assert not bug.passed


@pytest.mark.false_alarm(AUDIT_ALPHA, per="item",
                         reason="the rules' verdicts on the re-drawn (still correct) parameters at "
                         "alpha 1e-7; the padding row check is exact")
def test_an_overwritten_padding_row_is_caught():
    report = _audit(factories.bert_padding_row_bug, "bert")
    assert [(f.kind, f.parameters) for f in report.findings] == [
        ("padding-row", ("bert.embeddings.word_embeddings.weight",))]
    assert failing(report) == set()
    assert not report.passed


@pytest.mark.false_alarm(0, per="item", assertions=3,
                         reason="fixed compares the builds' bytes: exact")
def test_a_loaded_model_re_initialized_after_loading_is_caught_by_fixed():
    assert initcheck.audit(factories.gpt2_loaded, rules=["*=fixed"]).passed
    # transformers' own init skips the parameters flagged as loaded: calling it changes nothing
    assert initcheck.audit(factories.gpt2_loaded_hf_reinit, rules=["*=fixed"]).passed
    bug = initcheck.audit(factories.gpt2_loaded_reinit_bug, rules=["*=fixed"])
    blocks = {f"transformer.h.{i}.{m}.weight" for i in range(factories.N_LAYER)
              for m in ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj")}
    # the biases are drawn again too, as the same zeros: fixed cannot tell, nor need it
    assert failing(bug) == {"transformer.wte.weight", "transformer.wpe.weight"} | blocks
    assert not bug.passed


@pytest.mark.false_alarm(AUDIT_ALPHA, per="item",
                         reason="the control's audit at alpha 1e-7; what torch.empty left (zeros, "
                         "stale or non-finite values) is no U(-1/8, 1/8) draw (miss negligible)")
def test_a_parameter_left_uninitialized_is_named():
    control = _audit(factories.gpt2_with_adapter, "gpt2", rules=ADAPTER)
    assert conforms_parameter_by_parameter(control) == []
    bug = _audit(factories.gpt2_uninitialized_adapter_bug, "gpt2", rules=ADAPTER)
    name = "transformer.h.0.attn.adapter.lora_A"
    assert name in failing(bug) | named_in_findings(bug)
    assert not bug.passed
