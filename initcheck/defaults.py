"""The defaults of a verdict, named once with their reasons.

The command line, the pytest plugin, :func:`initcheck.check` and the
conformance matrices all take their defaults from here. This module imports
nothing, so the pytest plugin and ``--help`` can read it for free.
"""

from __future__ import annotations

__all__ = ["DEFAULT_ALPHA", "DEFAULT_DESIGN", "DEFAULT_SEED", "DEFAULT_TOLERANCE", "DESIGN_NAMES"]

DEFAULT_ALPHA = 1e-6
"""The family-wise false-alarm rate of one verdict (a correct sampler fails with probability ≤ 1e-6)."""

DEFAULT_TOLERANCE = 0.02
"""The smallest relative variance error (and mean shift, in the law's stds) a verdict catches with power 0.999."""

DEFAULT_SEED = 0
"""The seed of every draw when none is given (the same seed gives the same verdict, byte for byte)."""

DESIGN_NAMES = ("sequential", "fixed")
"""How a verdict tests each shape (:mod:`initcheck.designs`)."""

DEFAULT_DESIGN = "sequential"
"""The sequential design (exact checks first, then each shape stops as soon as its tests decide), which
costs a correct sampler a fraction of the fixed design's draws at the same α and power."""
