"""Database-level audit: who changed which row of which table, when, in which request.

Revision scripts call :func:`install` once and :func:`track` per table; tenant engines
stamp each writing transaction (:func:`stamp_transactions`); :func:`history` reads it back.
"""

from satchel.audit.errors import AuditError
from satchel.audit.history import AuditRecord, history
from satchel.audit.migration import install, track, uninstall, untrack
from satchel.audit.stamp import Stamp, current_stamp
from satchel.audit.stamping import is_write, stamp_transactions

__all__ = [
    "AuditError",
    "AuditRecord",
    "Stamp",
    "current_stamp",
    "history",
    "install",
    "is_write",
    "stamp_transactions",
    "track",
    "uninstall",
    "untrack",
]
