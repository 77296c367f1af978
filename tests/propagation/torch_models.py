"""Small PyTorch models as a user would write them, for ``initcheck propagate module:factory``.

Each factory takes no argument and returns a fresh ``torch.nn.Module``
initialized by the model's own code (PyTorch's defaults, or explicit
``torch.nn.init`` calls), as ``initcheck propagate`` needs.
"""

from __future__ import annotations

import itertools

import torch
from torch import nn


def relu_mlp_he(width: int = 256, depth: int = 8, n_in: int = 64, n_out: int = 10) -> nn.Module:
    """An MLP whose Linear layers are He-initialized (``kaiming_normal_``, relu gain), zero biases."""
    layers: list[nn.Module] = []
    sizes = [n_in] + [width] * depth
    for a, b in itertools.pairwise(sizes):
        lin = nn.Linear(a, b)
        nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        nn.init.zeros_(lin.bias)
        layers += [lin, nn.ReLU()]
    out = nn.Linear(width, n_out)
    nn.init.kaiming_normal_(out.weight, nonlinearity="relu")
    nn.init.zeros_(out.bias)
    return nn.Sequential(*layers, out)


def relu_mlp_default(width: int = 256, depth: int = 8, n_in: int = 64, n_out: int = 10) -> nn.Module:
    """The same MLP with PyTorch's default Linear init, U(±1/sqrt(fan_in)): variance 1/(3 fan_in)."""
    layers: list[nn.Module] = []
    sizes = [n_in] + [width] * depth
    for a, b in itertools.pairwise(sizes):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(width, n_out))


def make_he_mlp() -> nn.Module:
    """Zero-argument factory: 64 -> 8 x 256 ReLU -> 10, He init."""
    return relu_mlp_he()


def make_default_mlp() -> nn.Module:
    """Zero-argument factory: 64 -> 8 x 256 ReLU -> 10, PyTorch's default init."""
    return relu_mlp_default()


def make_wide_he_mlp() -> nn.Module:
    """Zero-argument factory: 256 -> 6 x 512 ReLU -> 10, He init (for comparisons with mean field)."""
    return relu_mlp_he(width=512, depth=6, n_in=256)


class SmallCNN(nn.Module):
    """A small CNN: four 3x3 convolutions with ReLU (He init, 'same' padding), then a Linear head."""

    def __init__(self, channels: int = 32, blocks: int = 4, n_out: int = 10) -> None:
        super().__init__()
        convs = []
        c_in = 3
        for _ in range(blocks):
            conv = nn.Conv2d(c_in, channels, 3, padding=1)
            nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
            nn.init.zeros_(conv.bias)
            convs += [conv, nn.ReLU()]
            c_in = channels
        self.features = nn.Sequential(*convs)
        self.head = nn.Linear(channels * 8 * 8, n_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(torch.flatten(self.features(x), 1))


def make_cnn() -> nn.Module:
    """Zero-argument factory: the small He-initialized CNN on 3x8x8 inputs."""
    return SmallCNN()


def make_sigmoid_cnn() -> nn.Module:
    """A CNN with sigmoid between its convolutions, PyTorch's default init: gradients vanish."""
    layers: list[nn.Module] = []
    c_in = 3
    for _ in range(6):
        layers += [nn.Conv2d(c_in, 16, 3, padding=1), nn.Sigmoid()]
        c_in = 16
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(16 * 8 * 8, 10))


def make_dropout_mlp() -> nn.Module:
    """An MLP with dropout, to show that train-mode runs are deterministic for a seed."""
    return nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 64), nn.ReLU(),
                         nn.Linear(64, 4))


def not_a_module() -> object:
    """A factory returning something else: a usage error."""
    return 3


NOT_CALLABLE = 7
