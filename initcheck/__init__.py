"""initcheck: the theory of weight initialization, executable.

* :mod:`initcheck.init` — reference initializers (samplers), one ``variance_scaling`` core.
* :mod:`initcheck.fans` — fans and layouts.
* :mod:`initcheck.mlp` — a numpy MLP with a hand-written backward pass.
* :mod:`initcheck.stats` — the statistical engine.
* :mod:`initcheck.claims` — the chapter's claims, run by ``initcheck verify``.
"""

from __future__ import annotations

from .errors import UsageError
from .fans import Fans
from .fans import compute_fans
from .init import Initializer
from .init import Sampler

__all__ = ["Fans", "Initializer", "Sampler", "UsageError", "__version__", "compute_fans"]

__version__ = "0.1.0"
