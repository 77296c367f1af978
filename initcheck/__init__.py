"""initcheck: the theory of weight initialization, executable.

* :mod:`initcheck.init` — reference initializers (samplers), one ``variance_scaling`` core.
* :mod:`initcheck.fans` — fans and layouts.
* :mod:`initcheck.mlp` — a numpy MLP with a hand-written backward pass.
* :mod:`initcheck.stats` — the statistical engine.
* :mod:`initcheck.claims` — the chapter's claims, run by ``initcheck verify``.
* :func:`check` / :func:`assert_conforms` — does a sampler draw the law it claims?
* :mod:`initcheck.adapters` — framework initializers (PyTorch, JAX, Keras, MXNet ...) as samplers.
* :mod:`initcheck.strategies` — Hypothesis strategies for users' own tests.
"""

from __future__ import annotations

from .assertions import assert_conforms
from .errors import UsageError
from .fans import Fans, compute_fans
from .init import Initializer, Sampler
from .verdict import Report, check

__all__ = [
    "Fans",
    "Initializer",
    "Report",
    "Sampler",
    "UsageError",
    "__version__",
    "assert_conforms",
    "check",
    "compute_fans",
]

__version__ = "0.1.0"
