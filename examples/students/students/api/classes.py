"""Handlers for the ``classes`` tag of spec/openapi.yaml.

The runtime has already resolved the tenant, checked the bearer token and validated the
request against the spec: parameters arrive typed, the body as a dict.
"""

from __future__ import annotations

from sqlalchemy import select

from satchel import tenancy
from satchel.problems import problem

from ..lookups import find_class
from ..models import Pupil, SchoolClass


def list_classes() -> dict:
    """Return every class of the tenant, by name."""
    query = select(SchoolClass).order_by(SchoolClass.name)
    classes = tenancy.session().scalars(query).all()
    return {"items": [school_class.to_dict() for school_class in classes]}


def create_class(body: dict) -> tuple[dict, int, dict]:
    """Create a class; its name is unique within the school."""
    session = tenancy.session()
    taken = session.scalar(
        select(SchoolClass.id).where(SchoolClass.name == body["name"])
    )
    if taken is not None:
        raise problem(
            409,
            f"A class named {body['name']!r} already exists (id {taken}): choose another name.",
        )
    school_class = SchoolClass(name=body["name"], year_group=body["year_group"])
    session.add(school_class)
    session.flush()
    location = f"/v1/classes/{school_class.id}/pupils"
    return school_class.to_dict(), 201, {"Location": location}


def list_class_pupils(class_id: int) -> dict:
    """Return the class and its pupils, by family then given name."""
    school_class = find_class(class_id)
    query = (
        select(Pupil)
        .where(Pupil.class_id == class_id)
        .order_by(Pupil.family_name, Pupil.given_name, Pupil.id)
    )
    pupils = tenancy.session().scalars(query).all()
    return {
        "class": school_class.to_dict(),
        "items": [pupil.to_dict() for pupil in pupils],
    }
