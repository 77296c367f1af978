"""PyTorch models: every parameter of an ``nn.Module``, its layer and the layout of its weight.

The layouts PyTorch's layers store (read from the layer's type, whatever its name):

* ``Linear``, ``Bilinear``, ``ConvNd``, the gates of ``RNN``/``LSTM``/``GRU``, the packed
  ``in_proj_weight`` of ``MultiheadAttention``, and any other weight of rank 2 or more:
  ``(out, in, *k)``. A grouped convolution stores ``in // groups`` on axis 1, which is what
  each output sees.
* ``ConvTransposeNd``: ``(in, out // groups, *k)``: axis 0 holds the inputs. PyTorch's own
  initializers read axis 1 as fan_in; the audit reads the data flow, so PyTorch's default
  shows as a rule on ``fan_out`` here.
* Hugging Face's ``Conv1D`` (GPT-2): ``(in, out)``, a Linear stored transposed.
* ``Embedding``/``EmbeddingBag``: ``(num, dim)``, one row per index; a ``padding_idx`` row
  is a padding row, kept at 0.

A model too large for memory is built on the meta device (``from_meta=True``): no value is
allocated until the audit visits a module; then that module alone is given memory, its own
``reset_parameters()`` draws its values (PyTorch's defaults, not a model's ``_init_weights``),
its parameters are audited and the memory is given back. Parameters of modules without
``reset_parameters`` cannot be drawn that way and are reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .model import ModelFault, Parameter, ParamLayout, torch_layout

__all__ = ["TorchSource", "is_torch_model", "layout_of"]

_TRANSPOSED = ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "LazyConvTranspose1d",
               "LazyConvTranspose2d", "LazyConvTranspose3d")


def is_torch_model(obj: object) -> bool:
    """Whether ``obj`` is a ``torch.nn.Module`` (torch is not imported to find out)."""
    import sys

    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.nn.Module)


def layout_of(layer: Any, local: str, shape: tuple[int, ...]) -> ParamLayout | None:
    """The layout of parameter ``local`` (its name inside ``layer``) of ``shape``."""
    if len(shape) < 2:
        return None
    kind = type(layer).__name__
    if kind in _TRANSPOSED:
        return ParamLayout((0,), (1,), f"{kind} (in, out/groups, *k)")
    if kind == "Conv1D" and hasattr(layer, "nf"):  # Hugging Face's GPT-2 "Conv1D": a transposed Linear
        return ParamLayout((0,), (1,), "Hugging Face Conv1D (in, out)")
    if kind in ("Embedding", "EmbeddingBag"):
        return ParamLayout((1,), (0,), f"{kind} (num, dim)")
    if kind in ("Linear", "LazyLinear", "NonDynamicallyQuantizableLinear"):
        return torch_layout(f"{kind} (out, in)")
    if kind.startswith(("Conv", "LazyConv")):
        return torch_layout(f"{kind} (out, in/groups, *k)")
    return torch_layout(f"{kind}.{local} (out, in, *k): PyTorch's convention")


def _padding_rows(layer: Any, local: str) -> tuple[int, ...]:
    idx = getattr(layer, "padding_idx", None)
    if local != "weight" or idx is None or type(layer).__name__ not in ("Embedding", "EmbeddingBag"):
        return ()
    return (int(idx) % int(layer.weight.shape[0]),)


def _values(t: Any) -> np.ndarray:
    """A tensor's values as numpy (a view for CPU float32/float64/float16; bfloat16 as float32)."""
    import torch

    t = t.detach()
    if t.device.type != "cpu":
        t = t.cpu()
    if t.dtype == torch.bfloat16 or not t.dtype.is_floating_point or t.dtype.itemsize == 1:
        t = t.float()
    return t.numpy()


class TorchSource:
    """A PyTorch model built by ``factory`` under ``torch.manual_seed(seed)``.

    Args:
        factory: ``factory()`` (or ``factory(seed=...)`` if it takes ``seed``) returns the model.
        target: the target in words.
        from_meta: build on the meta device and draw one module at a time with its
            ``reset_parameters`` (see the module docstring).
    """

    framework = "torch"

    def __init__(self, factory: Callable[..., Any], target: str, *, from_meta: bool = False,
                 first: tuple[int, Any] | None = None) -> None:
        self.factory = factory
        self.target = target
        self.from_meta = from_meta
        self._first = first  # (seed, model) already built under that seed (the probe build)

    def _model(self, seed: int) -> Any:
        import torch

        from .target import call_factory

        if self._first is not None and self._first[0] == seed and not self.from_meta:
            model, self._first = self._first[1], None
            return model
        self._first = None
        torch.manual_seed(seed)
        if self.from_meta:
            with torch.device("meta"):
                model = call_factory(self.factory, seed, self.target)
        else:
            model = call_factory(self.factory, seed, self.target)
        if not isinstance(model, torch.nn.Module):
            raise ModelFault(f"target={self.target!r} returned {type(model).__name__}, "
                             "expected a torch.nn.Module")
        return model

    def build(self, seed: int) -> Iterator[tuple[Parameter, np.ndarray | None]]:
        """Build under ``seed`` and yield every parameter (tied ones once more, with ``tied_to``)."""
        model = self._model(seed)
        if self.from_meta:
            yield from self._from_meta(model, seed)
            return
        modules = dict(model.named_modules(remove_duplicate=False))
        first_name: dict[int, str] = {}
        for name, p in model.named_parameters(remove_duplicate=False):
            owner, _, local = name.rpartition(".")
            layer = modules.get(owner, model)
            shape = tuple(int(d) for d in p.shape)
            tied = first_name.get(id(p))
            info = Parameter(name, owner, type(layer).__name__, shape, str(p.dtype).removeprefix("torch."),
                             layout_of(layer, local, shape), tied, _padding_rows(layer, local))
            if tied is not None:
                yield info, np.zeros(0)
                continue
            first_name[id(p)] = name
            if p.is_meta:
                raise ModelFault(f"target={self.target!r}: parameter {name} is on the meta device "
                                 "(build it on a real device, or audit it with from_meta / --meta)")
            yield info, _values(p)
        del model

    def _from_meta(self, model: Any, seed: int) -> Iterator[tuple[Parameter, np.ndarray | None]]:
        import torch

        torch.manual_seed(seed)
        tied: dict[str, str] = {}  # ties, read before any memory is given (ids change as modules move)
        first_name: dict[int, str] = {}
        for name, p in model.named_parameters(remove_duplicate=False):
            if id(p) in first_name:
                tied[name] = first_name[id(p)]
            else:
                first_name[id(p)] = name
        for owner, layer in model.named_modules(remove_duplicate=False):
            own = list(layer.named_parameters(recurse=False, remove_duplicate=False))
            if not own:
                continue
            resettable = callable(getattr(layer, "reset_parameters", None))
            names = [f"{owner}.{local}" if owner else local for local, _ in own]
            if resettable and not any(n in tied for n in names):
                layer.to_empty(device="cpu", recurse=False)
                layer.reset_parameters()
                own = list(layer.named_parameters(recurse=False, remove_duplicate=False))
            for name, (local, p) in zip(names, own):
                shape = tuple(int(d) for d in p.shape)
                info = Parameter(name, owner, type(layer).__name__, shape, str(p.dtype).removeprefix("torch."),
                                 layout_of(layer, local, shape), tied.get(name), _padding_rows(layer, local))
                if name in tied:
                    yield info, np.zeros(0)
                    continue
                yield info, None if p.is_meta else _values(p)  # None: no reset_parameters to draw it
            if resettable:
                layer.to_empty(device="meta", recurse=False)  # give the memory back
