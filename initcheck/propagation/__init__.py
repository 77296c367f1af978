"""Signal propagation across depth: measure a whole network, put the theory beside it, judge.

Does a network, initialized your way, keep forward activations and backward
gradients of order one from input to output? :func:`propagate` measures it
over independent initializations, for the reference MLP or a PyTorch model.
"""

from __future__ import annotations

from .api import propagate
