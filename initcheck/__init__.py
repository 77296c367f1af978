"""initcheck: the theory of weight initialization, executable.

* :mod:`initcheck.init` — reference initializers (samplers), one ``variance_scaling`` core.
* :mod:`initcheck.fans` — fans and layouts.
* :mod:`initcheck.mlp` — a numpy MLP with a hand-written backward pass.
* :mod:`initcheck.stats` — the statistical engine.
* :mod:`initcheck.claims` — the chapter's claims, run by ``initcheck verify``.
* :func:`check` / :func:`assert_conforms` — does a sampler draw the law it claims?
* :func:`~initcheck.identification.report.identify` — which law of the grammar explains a sampler's draws?
* :func:`~initcheck.auditing.run.audit` / :func:`~initcheck.auditing.run.assert_model_conforms` — which law does
  each parameter of a whole model follow, and is it the one intended?
* :mod:`initcheck.adapters` — framework initializers (PyTorch, JAX, Keras, MXNet ...) as samplers.
* :mod:`initcheck.strategies` — Hypothesis strategies for users' own tests.

``import initcheck`` imports neither numpy nor scipy nor the engine: each name
below is imported from its module the first time it is used (``initcheck.check``
loads the engine), so the pytest plugin, which every pytest run in an environment
with initcheck loads, costs next to nothing until a test uses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._deprecations import module_getattr
from ._lazy import lazy_dir, lazy_getattr
from .errors import InitcheckError, UsageError

if TYPE_CHECKING:  # what type checkers see; at run time _LAZY serves these on first use
    from ._deprecations import Renamed
    from ._lazy import Lazy
    from .assertions import assert_conforms
    from .auditing import AuditReport, assert_model_conforms, audit
    from .fans import Fans, compute_fans
    from .identification import Identification, identify
    from .init import Initializer, Sampler
    from .verdict import Report, check

__all__ = [
    "AuditReport",
    "Fans",
    "Identification",
    "InitcheckError",
    "Initializer",
    "Report",
    "Sampler",
    "UsageError",
    "__version__",
    "assert_conforms",
    "assert_model_conforms",
    "audit",
    "check",
    "compute_fans",
    "identify",
]

__version__ = "0.1.0"

#: public name -> module defining it, imported when the name is first read
_LAZY: Lazy = {
    "AuditReport": ".auditing",
    "Fans": ".fans",
    "Identification": ".identification",
    "Initializer": ".init",
    "Report": ".verdict",
    "Sampler": ".init",
    "assert_conforms": ".assertions",
    "assert_model_conforms": ".auditing",
    "audit": ".auditing",
    "check": ".verdict",
    "compute_fans": ".fans",
    "identify": ".identification",
}

#: renamed public names: old name -> (new name, getter), served with one DeprecationWarning each
_RENAMED: Renamed = {}

if not TYPE_CHECKING:  # hidden from type checkers, which would otherwise accept any name
    __getattr__ = lazy_getattr(__name__, globals(), _LAZY, fallback=module_getattr(__name__, _RENAMED))
__dir__ = lazy_dir(globals(), _LAZY)

del TYPE_CHECKING, lazy_dir, lazy_getattr, module_getattr  # helpers, not public names
