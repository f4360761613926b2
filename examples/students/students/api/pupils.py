"""Handlers for the ``pupils`` tag of spec/openapi.yaml."""

from __future__ import annotations

from satchel import flags, tenancy
from satchel.problems import problem

from ..lookups import find_class
from ..models import Pupil


def add_pupil(class_id: int, body: dict) -> tuple[dict, int, dict]:
    """Put a new pupil on roll in the class."""
    find_class(class_id)
    pupil = Pupil(
        class_id=class_id,
        given_name=body["given_name"],
        family_name=body["family_name"],
    )
    session = tenancy.session()
    session.add(pupil)
    session.flush()
    return pupil.to_dict(), 201, {"Location": f"/v1/pupils/{pupil.id}"}


def get_pupil(pupil_id: int) -> dict:
    """Return one pupil."""
    return _find(pupil_id).to_dict()


@flags.flag_required("pupils-move")
def move_pupil(pupil_id: int, body: dict) -> dict:
    """Move a pupil to another class; only where the pupils-move flag is on for the tenant."""
    pupil = _find(pupil_id)
    pupil.class_id = find_class(body["class_id"]).id
    tenancy.session().flush()
    return pupil.to_dict()


def _find(pupil_id: int) -> Pupil:
    pupil = tenancy.session().get(Pupil, pupil_id)
    if pupil is None:
        raise problem(404, f"Pupil {pupil_id} does not exist.")
    return pupil
