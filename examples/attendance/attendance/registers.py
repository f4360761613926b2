"""Taking a register: check every mark against the class students lists, then store it.

The API handler and the register page both call :func:`take_register`, so the rules (each
pupil of the class marked exactly once, ``late`` only behind its flag) live in one place.
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

from satchel import flags, tenancy
from satchel.problems import Problem

from .models import Mark, Register

CLIENT_KEY = "attendance.students"


def students():
    """Return the app's students client (built in create_app)."""
    return current_app.extensions[CLIENT_KEY]


def check_marks(
    pupils: list[dict], marks: list[dict], *, late_allowed: bool
) -> list[dict]:
    """Return one error per broken rule; an empty list means the marks are a full register."""
    errors = []
    known = {pupil["id"] for pupil in pupils}
    seen: set[int] = set()
    for index, mark in enumerate(marks):
        where = f"/marks/{index}"
        if mark["pupil_id"] not in known:
            errors.append(
                _error(
                    f"{where}/pupil_id",
                    f"Pupil {mark['pupil_id']} is not in the class.",
                )
            )
        elif mark["pupil_id"] in seen:
            errors.append(
                _error(
                    f"{where}/pupil_id", f"Pupil {mark['pupil_id']} is marked twice."
                )
            )
        seen.add(mark["pupil_id"])
        if mark["mark"] == "late" and not late_allowed:
            errors.append(
                _error(
                    f"{where}/mark",
                    "'late' is not available yet (flag registers-late-mark is off): "
                    "mark present or absent.",
                )
            )
    for pupil in pupils:
        if pupil["id"] not in seen:
            name = f"{pupil['given_name']} {pupil['family_name']}"
            errors.append(
                _error("/marks", f"Pupil {pupil['id']} ({name}) has no mark.")
            )
    return errors


def take_register(
    class_id: int, on: date, session: str, marks: list[dict], *, taken_by: str
) -> Register:
    """Store the register after checking it against the class; raise 404/409/422 problems."""
    listed = students().class_pupils(class_id)
    errors = check_marks(
        listed["items"], marks, late_allowed=flags.is_enabled("registers-late-mark")
    )
    if errors:
        raise Problem(
            status=422,
            detail=f"The register does not match class {class_id}.",
            type="https://satchel.dev/problems/request-invalid",
            extensions={"errors": errors},
        )
    db = tenancy.session()
    existing = db.scalar(
        select(Register.id).where(
            Register.class_id == class_id,
            Register.date == on,
            Register.session == session,
        )
    )
    if existing is not None:
        raise Problem(
            status=409,
            detail=(
                f"The {session} register of class {class_id} for {on.isoformat()} was already "
                f"taken (register {existing})."
            ),
        )
    names = {p["id"]: f"{p['given_name']} {p['family_name']}" for p in listed["items"]}
    register = Register(
        class_id=class_id,
        class_name=listed["class"]["name"],
        date=on,
        session=session,
        taken_by=taken_by,
        marks=[
            Mark(
                pupil_id=m["pupil_id"], pupil_name=names[m["pupil_id"]], mark=m["mark"]
            )
            for m in marks
        ],
    )
    db.add(register)
    db.flush()
    return register


def registers_of(class_id: int) -> list[Register]:
    """Return the class's registers, newest first."""
    query = (
        select(Register)
        .where(Register.class_id == class_id)
        .order_by(Register.date.desc(), Register.session.desc(), Register.id.desc())
    )
    return list(tenancy.session().scalars(query).all())


def _error(name: str, message: str) -> dict:
    return {"in": "body", "name": name, "message": message}
