"""Handlers for the ``registers`` tag of spec/openapi.yaml.

The runtime has already resolved the tenant, checked the bearer token and validated the
request against the spec: parameters arrive typed, the body as a dict.
"""

from __future__ import annotations

from datetime import date

from satchel import tenancy
from satchel.auth import current_actor
from satchel.problems import problem

from ..models import Register
from ..registers import registers_of, take_register


def list_registers(class_id: int) -> dict:
    """Return the class's registers, newest first."""
    return {"items": [register.to_dict() for register in registers_of(class_id)]}


def take_register_for_class(class_id: int, body: dict) -> tuple[dict, int, dict]:
    """Take the register: students lists the class, every pupil must be marked once."""
    register = take_register(
        class_id,
        date.fromisoformat(body["date"]),
        body["session"],
        body["marks"],
        taken_by=current_actor().id,
    )
    return register.to_dict(), 201, {"Location": f"/v1/registers/{register.id}"}


def get_register(register_id: int) -> dict:
    """Return one register."""
    register = tenancy.session().get(Register, register_id)
    if register is None:
        raise problem(404, f"Register {register_id} does not exist.")
    return register.to_dict()
