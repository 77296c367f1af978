"""The chapter's claims, each an executable :class:`Claim` (see :mod:`.registry`)."""

from __future__ import annotations

from .base import Claim, Context, Measurement, Outcome
from .registry import CLAIMS, VERIFY_ALPHA, ClaimResult, run_claims, select

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
