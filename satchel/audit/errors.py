"""The audit component's one exception."""


class AuditError(Exception):
    """An audit helper was used on something it cannot audit (says what and how to fix)."""
