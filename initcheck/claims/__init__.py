"""The chapter's claims, each an executable :class:`Claim` (see :mod:`.registry`)."""

from __future__ import annotations

from .base import Claim
from .base import Context
from .base import Measurement
from .base import Outcome
from .registry import CLAIMS
from .registry import VERIFY_ALPHA
from .registry import ClaimResult
from .registry import run_claims
from .registry import select

__all__ = [
    "CLAIMS",
    "VERIFY_ALPHA",
    "Claim",
    "ClaimResult",
    "Context",
    "Measurement",
    "Outcome",
    "run_claims",
    "select",
]
