"""Small Flax (linen) models as a user would write them, for ``initcheck propagate module:factory``."""

from __future__ import annotations

import flax.linen as nn
import jax.numpy as jnp


class MLP(nn.Module):
    """Dense layers with an activation between them, initialized by ``kernel_init``."""

    width: int = 256
    depth: int = 6
    n_out: int = 10
    activation: str = "relu"
    kernel_init: str = "he_normal"

    @nn.compact
    def __call__(self, x: jnp.ndarray) -> jnp.ndarray:
        init = getattr(nn.initializers, self.kernel_init)()
        act = getattr(nn, self.activation)
        for _ in range(self.depth):
            x = act(nn.Dense(self.width, kernel_init=init)(x))
        return nn.Dense(self.n_out, kernel_init=init)(x)


class CNN(nn.Module):
    """Three 3x3 convolutions with ReLU (He init, truncated as JAX's is) and a Dense head; NHWC inputs."""

    @nn.compact
    def __call__(self, x: jnp.ndarray) -> jnp.ndarray:
        for _ in range(3):
            x = nn.relu(nn.Conv(16, (3, 3), kernel_init=nn.initializers.he_normal())(x))
        return nn.Dense(10)(x.reshape((x.shape[0], -1)))


def make_he_mlp() -> nn.Module:
    """64 -> 6 x 256 ReLU -> 10, JAX's he_normal (a truncated normal of variance 2/fan_in)."""
    return MLP()


def make_sigmoid_mlp() -> nn.Module:
    """Sigmoid between Dense layers with Glorot (Xavier) init: gradients vanish."""
    return MLP(activation="sigmoid", kernel_init="glorot_normal")


def make_default_mlp() -> nn.Module:
    """ReLU with Flax's default Dense init, lecun_normal (variance 1/fan_in): the signal halves per layer."""
    return MLP(kernel_init="lecun_normal")


def make_cnn() -> nn.Module:
    """The small CNN on 8x8x3 inputs."""
    return CNN()
