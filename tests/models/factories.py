"""Zero-argument factories of real models for ``initcheck audit`` (``tests.models.factories:NAME``).

Hugging Face models are built from a config (``from_config``: nothing is downloaded); PyTorch's
layers by their constructors. Each ``*_bug`` factory is a real model with one mistake planted
the way it happens in practice: a generic init applied after construction, a seed set again,
a checkpoint re-initialized, a parameter created with ``torch.empty`` and never filled. The
sizes are small so that an audit of several builds takes seconds; ``gpt2_small`` is GPT-2's
default config (124M parameters) for the benchmark.
"""

from __future__ import annotations

import functools
import math
import tempfile
from pathlib import Path

import torch
from torch import nn

# --- the tiny configurations --------------------------------------------------------------------

N_LAYER = 2  # GPT-2's depth here: c_proj's std is 0.02/sqrt(2*N_LAYER) = 0.01
WIDTH = 64  # every model's hidden width (heads of 16)
VOCAB = 1000
RANK = 4  # the low-rank adapter's rank


def _gpt2_config(**overrides):
    from transformers import GPT2Config

    return GPT2Config(n_layer=N_LAYER, n_embd=WIDTH, n_head=4, vocab_size=VOCAB, n_positions=128,
                      bos_token_id=0, eos_token_id=0, **overrides)


def _from_config(auto: str, config) -> nn.Module:
    import transformers

    return getattr(transformers, auto).from_config(config)


# --- Hugging Face transformers, as documented --------------------------------------------------


def gpt2_tiny() -> nn.Module:
    """GPT-2 (LM head, tied to the token embeddings): 2 blocks of width 64, vocabulary 1000."""
    return _from_config("AutoModelForCausalLM", _gpt2_config())


def gpt2_small() -> nn.Module:
    """GPT-2 small: the default ``GPT2Config()`` (12 blocks of width 768, 124M parameters)."""
    from transformers import GPT2Config

    return _from_config("AutoModelForCausalLM", GPT2Config())


def bert_tiny() -> nn.Module:
    """BERT for masked LM: 2 layers of width 64; the decoder tied to the word embeddings, whose
    row ``pad_token_id = 0`` is the padding row."""
    from transformers import BertConfig

    config = BertConfig(vocab_size=VOCAB, hidden_size=WIDTH, num_hidden_layers=2,
                        num_attention_heads=4, intermediate_size=128,
                        max_position_embeddings=128, type_vocab_size=2)
    return _from_config("AutoModelForMaskedLM", config)


def llama_tiny() -> nn.Module:
    """Llama (causal LM, untied head): 2 layers of width 64, grouped-query attention (4 heads,
    2 key/value heads), SwiGLU width 128, RMSNorm."""
    from transformers import LlamaConfig

    config = LlamaConfig(vocab_size=VOCAB, hidden_size=WIDTH, intermediate_size=128,
                         num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=128)
    return _from_config("AutoModelForCausalLM", config)


# --- PyTorch's own layers, at their defaults ----------------------------------------------------


def torch_lstm() -> nn.Module:
    """A 2-layer LSTM, 32 inputs, hidden size 64."""
    return nn.LSTM(input_size=32, hidden_size=WIDTH, num_layers=2)


def torch_mha() -> nn.Module:
    """Multi-head attention, width 64, 4 heads (Q, K, V packed in ``in_proj_weight``)."""
    return nn.MultiheadAttention(embed_dim=WIDTH, num_heads=4)


def torch_encoder_layer() -> nn.Module:
    """A Transformer encoder layer, width 64, 4 heads, feed-forward width 128."""
    return nn.TransformerEncoderLayer(d_model=WIDTH, nhead=4, dim_feedforward=128)


def torch_encoder_stack() -> nn.Module:
    """``nn.TransformerEncoder`` of 2 layers: PyTorch deep-copies the one layer it is given, so
    every layer starts as the same values (documented; ``nn.Transformer`` re-draws them, a bare
    encoder does not)."""
    return nn.TransformerEncoder(torch_encoder_layer(), num_layers=2, enable_nested_tensor=False)


# --- planted bugs -------------------------------------------------------------------------------


def _generic_init(module: nn.Module) -> None:
    """A training script's init, applied with ``model.apply`` after construction: every matrix
    N(0, 0.02²), every bias 0, with no residual scaling and no regard for padding rows."""
    from transformers.pytorch_utils import Conv1D

    if isinstance(module, (nn.Linear, Conv1D)):
        nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.Embedding):
        nn.init.normal_(module.weight, mean=0.0, std=0.02)


def gpt2_residual_scale_bug() -> nn.Module:
    """GPT-2 re-initialized by a generic init: the residual projections ``c_proj`` get
    N(0, 0.02²) instead of N(0, (0.02/sqrt(2*n_layer))²)."""
    model = gpt2_tiny()
    model.apply(_generic_init)
    return model


def _encoder_layer_seeded(seed: int) -> nn.Module:
    torch.manual_seed(seed)  # "for reproducibility": the same stream again for every layer
    return torch_encoder_layer()


class EncoderStack(nn.Module):
    """Two encoder layers built by a helper that seeds the generator before each."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList([_encoder_layer_seeded(seed) for _ in range(2)])


def encoder_reused_seed_bug(seed: int) -> nn.Module:
    """Two encoder layers, each built after ``torch.manual_seed(seed)``: layer 1 is a copy of
    layer 0 (the audit gives the build's seed, so builds still differ)."""
    return EncoderStack(seed)


def mha_blocks_each_own() -> nn.Module:
    """Multi-head attention whose Q, K and V blocks are each Xavier-uniform as an (E, E) matrix
    of their own (as separate q/k/v projections are)."""
    mha = torch_mha()
    e = mha.embed_dim
    with torch.no_grad():
        for i in range(3):
            nn.init.xavier_uniform_(mha.in_proj_weight[i * e:(i + 1) * e])
    return mha


def mha_packed_as_one_bug() -> nn.Module:
    """Multi-head attention as PyTorch builds it: Xavier-uniform over the whole packed (3E, E)
    matrix, so each block's bound is sqrt(6/(4E)), not the sqrt(6/(2E)) of an (E, E) matrix:
    each block's variance is half what the per-block rule wants."""
    return torch_mha()


def bert_padding_row_bug() -> nn.Module:
    """BERT re-initialized by a generic init that draws every embedding table whole: the padding
    row of the word embeddings is no longer 0."""
    model = bert_tiny()
    model.apply(_generic_init)
    return model


@functools.cache
def gpt2_checkpoint() -> Path:
    """A tiny GPT-2 saved once (seed 0) to a temporary folder, as ``save_pretrained`` writes it;
    the global generator's state is left as it was."""
    folder = Path(tempfile.mkdtemp(prefix="initcheck-gpt2-"))
    with torch.random.fork_rng():
        torch.manual_seed(0)
        gpt2_tiny().save_pretrained(folder)
    return folder


def gpt2_loaded() -> nn.Module:
    """The tiny GPT-2 loaded from its checkpoint: every parameter the checkpoint's values."""
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(gpt2_checkpoint())


def gpt2_loaded_hf_reinit() -> nn.Module:
    """The loaded GPT-2 on which transformers' own ``init_weights()`` is called again: its
    initializers skip parameters flagged as loaded (``_is_hf_initialized``), so nothing changes."""
    model = gpt2_loaded()
    model.init_weights()
    return model


def gpt2_loaded_reinit_bug() -> nn.Module:
    """The loaded GPT-2 re-initialized by a training script's own init (``torch.nn.init``, which
    knows no loaded flag): every matrix and embedding drawn anew, the checkpoint lost."""
    model = gpt2_loaded()
    model.apply(_generic_init)
    return model


class LowRankAdapter(nn.Module):
    """A LoRA-style adapter ``x ↦ B A x``: A is He-uniform with a = sqrt(5) (U(±1/sqrt(in))),
    B is 0 (the adapter adds nothing at first). Its parameters are created with ``torch.empty``;
    ``reset_parameters`` fills them."""

    def __init__(self, width: int, rank: int, *, reset: bool) -> None:
        super().__init__()
        self.lora_A = nn.Parameter(torch.empty(rank, width))
        self.lora_B = nn.Parameter(torch.empty(width, rank))
        if reset:
            self.reset_parameters()

    def reset_parameters(self) -> None:
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B)


def _gpt2_with_adapter(reset: bool) -> nn.Module:
    model = gpt2_tiny()  # post_init has run: it never sees the adapter added below
    model.transformer.h[0].attn.adapter = LowRankAdapter(WIDTH, RANK, reset=reset)
    return model


def gpt2_with_adapter() -> nn.Module:
    """The tiny GPT-2 with a low-rank adapter on its first attention, filled by its reset."""
    return _gpt2_with_adapter(True)


def gpt2_uninitialized_adapter_bug() -> nn.Module:
    """The same adapter whose ``reset_parameters`` is never called: ``lora_A`` and ``lora_B`` hold
    whatever ``torch.empty`` found in memory."""
    return _gpt2_with_adapter(False)
