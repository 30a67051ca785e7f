"""Audit trail: tamper-evident events about every masked record, and the tools to read them.

The worker builds one event per input record (``build_audit_event``) and seals it into
its source partition's hash chain (``AuditChain``); ``piimask audit`` reports, verifies
and searches the trail without ever handling raw values.
"""

from piimask.audit.chain import CHAIN_PURPOSE, AuditChain, canonical_bytes, compute_hash
from piimask.audit.events import AuditEvent, Finding, Outcome, build_audit_event
from piimask.audit.verify import Issue, Verifier, VerifyResult, verify_entries

__all__ = [
    "CHAIN_PURPOSE",
    "AuditChain",
    "AuditEvent",
    "Finding",
    "Issue",
    "Outcome",
    "Verifier",
    "VerifyResult",
    "build_audit_event",
    "canonical_bytes",
    "compute_hash",
    "verify_entries",
]
