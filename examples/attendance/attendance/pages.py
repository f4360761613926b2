"""The register page: server-rendered with Jinja, usable with JavaScript off, CSRF-protected.

Pages are HTML for people, so they sit outside the OpenAPI spec (which describes the JSON
API other services and the mock rely on); they share its rules through ``registers.py``.
Tenancy applies as for the API: the page and its data belong to the host's tenant. Sign-in
exchanges a bearer token (the same JWT the API takes) for a session on this tenant's host.
"""

from __future__ import annotations

from datetime import date
from functools import wraps
from typing import Any, Callable
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFProtect

from satchel import auth, context, flags, tenancy
from satchel.problems import Problem

from .registers import registers_of, students, take_register

pages = Blueprint("pages", __name__)
csrf = CSRFProtect()
MARKS = ("present", "absent", "late")


def init_app(app: Flask) -> None:
    """Register the pages; CSRF is checked in each form view (the JSON API uses bearer tokens)."""
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    csrf.init_app(app)
    app.register_blueprint(pages)


@pages.app_context_processor
def tenant_in_scope() -> dict:
    """Give every page the tenant the runtime resolved from the host (never the raw host)."""
    return {"tenant": context.tenant_id.get()}


def signed_in_actor() -> str | None:
    """Return the actor id of this tenant's session, or None when not signed in here."""
    if session.get("tenant") != tenancy.current_tenant():
        return None
    return session.get("actor")


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send anyone without a session on this tenant to the sign-in page, then back."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if signed_in_actor() is None:
            return redirect(url_for("pages.login", next=request.path))
        return view(*args, **kwargs)

    return guarded


@pages.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Exchange a bearer token for a session on this tenant's host."""
    target = _safe_next(request.values.get("next", "/"))
    if request.method == "GET":
        return render_template("login.html", next=target)
    csrf.protect()
    try:
        actor = auth.authenticator(current_app).authenticate(
            f"Bearer {request.form.get('token', '').strip()}"
        )
    except Problem as refused:
        return (
            render_template("login.html", next=target, error=refused.detail),
            refused.status,
        )
    session.clear()
    session.update(actor=actor.id, tenant=tenancy.current_tenant())
    # A server-side session gets a new id at sign-in, so an id planted earlier is worthless.
    regenerate = getattr(current_app.session_interface, "regenerate", None)
    if regenerate is not None:
        regenerate(session)
    return redirect(target)


@pages.post("/logout")
def logout() -> Any:
    """End the session."""
    csrf.protect()
    session.clear()
    return redirect(url_for("pages.login"))


@pages.route("/classes/<int:class_id>/register", methods=["GET", "POST"])
@login_required
def register_page(class_id: int) -> Any:
    """Show the class's register form and the registers taken; take one on POST."""
    listed = students().class_pupils(class_id)
    if request.method == "POST":
        csrf.protect()
        return _submit(class_id, listed)
    return _render(class_id, listed)


def _submit(class_id: int, listed: dict) -> Any:
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        on = date.fromisoformat(request.form.get("date", ""))
        session_name = request.form.get("session", "")
        if session_name not in ("am", "pm"):
            raise ValueError("session must be am or pm")
        marks = [
            {
                "pupil_id": pupil["id"],
                "mark": request.form.get(f"mark-{pupil['id']}", ""),
            }
            for pupil in listed["items"]
        ]
        if any(mark["mark"] not in MARKS for mark in marks):
            raise ValueError("every pupil needs a mark: present, absent or late")
        register = take_register(
            class_id, on, session_name, marks, taken_by=signed_in_actor()
        )
    except ValueError as invalid:
        return _refuse(
            class_id, listed, f"The form is incomplete: {invalid}.", wants_json
        )
    except Problem as refused:
        errors = refused.extensions.get("errors", [])
        message = " ".join([refused.detail] + [error["message"] for error in errors])
        return _refuse(class_id, listed, message, wants_json, status=refused.status)
    summary = _summary(register.to_dict())
    if wants_json:
        return jsonify(register=register.to_dict(), message=summary), 201
    flash(summary)
    return redirect(url_for("pages.register_page", class_id=class_id), code=303)


def _refuse(
    class_id: int, listed: dict, message: str, wants_json: bool, status: int = 422
):
    if wants_json:
        return jsonify(error=message), status
    return _render(class_id, listed, error=message), status


def _render(class_id: int, listed: dict, error: str | None = None) -> str:
    return render_template(
        "register.html",
        school_class=listed["class"],
        pupils=listed["items"],
        registers=[register.to_dict() for register in registers_of(class_id)],
        marks=MARKS if flags.is_enabled("registers-late-mark") else MARKS[:2],
        today=date.today().isoformat(),
        actor=signed_in_actor(),
        error=error,
    )


def _summary(register: dict) -> str:
    present = sum(mark["mark"] != "absent" for mark in register["marks"])
    return (
        f"Register {register['id']} taken for {register['class_name']} "
        f"({register['date']} {register['session']}): {present} of "
        f"{len(register['marks'])} present."
    )


def _safe_next(target: str) -> str:
    # Only a path on this host: an open redirect would hand the session to another site.
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
    ):
        return "/"
    return target
