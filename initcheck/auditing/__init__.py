"""``initcheck audit``: which law each parameter of a whole model follows, and whether it is the
one intended (:func:`~initcheck.auditing.run.audit`)."""

from __future__ import annotations

from .report import AuditReport, ParameterAudit, RuleVerdict
from .run import assert_model_conforms, audit

__all__ = ["AuditReport", "ParameterAudit", "RuleVerdict", "assert_model_conforms", "audit"]
