"""Thresholds of the statistical assertions in tests/stats, named once with their reason.

Every statistical assertion either checks that correct data is *not* flagged
(a false alarm if it fails) or that a planted error *is* caught (a miss if it
fails). Each has a stated per-example rate; FALSE_ALARMS.md adds them up.
"""

from __future__ import annotations

P_EXACT = 1e-8  # correct data: assert p > P_EXACT; exact or conservative p-value: rate <= 1e-8
P_APPROX = 1e-8  # same threshold for approximate p-values (CLT, Pearson III, saddlepoint) ...
RATE_APPROX = 1e-7  # ... whose rate is claimed <= 1e-7, allowing a factor 10 for the approximation
P_STRICT = 1e-10  # where one example makes dozens of approximate assertions ...
RATE_STRICT = 1e-9  # ... each is claimed <= 1e-9, again a factor 10 for the approximation
ALPHA = 1e-6  # a planted error must be rejected at this level (a verdict's per-check share)
MISS = 1e-8  # planted errors are planned for power 1 - MISS at ALPHA: miss rate <= 1e-8
CALIBRATION_P = (
    1e-6  # calibration: the binomial test of the rejection count must not reject at this level
)
