"""Find the tenant's rows that handlers of several tags share, or answer 404 naming them.

Handler modules (``api/<tag>.py``) hold only the handlers their operations name (standards:
SAT-API-007), so a lookup both ``classes`` and ``pupils`` use lives here.
"""

from __future__ import annotations

from satchel import tenancy
from satchel.problems import problem

from .models import SchoolClass


def find_class(class_id: int) -> SchoolClass:
    """Return the tenant's class or raise a 404 problem naming it."""
    school_class = tenancy.session().get(SchoolClass, class_id)
    if school_class is None:
        raise problem(404, f"Class {class_id} does not exist.")
    return school_class
