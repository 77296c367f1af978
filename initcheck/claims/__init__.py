"""The chapter's claims, each an executable :class:`Claim` (see :mod:`.registry`)."""

from __future__ import annotations

from .base import Claim, Context, Measurement, Outcome
from .registry import CLAIMS, VERIFY_ALPHA, ClaimResult, VerifyReport, run_claims, select, verify

__all__ = [
    "CLAIMS",
    "VERIFY_ALPHA",
    "Claim",
    "ClaimResult",
    "Context",
    "Measurement",
    "Outcome",
    "VerifyReport",
    "run_claims",
    "select",
    "verify",
]
