"""The Satchel demo: stamp a service, run attendance alone against mocked students, then real.

Run it with ``make demo`` (or ``python examples/demo.py``). Everything runs on embedded defaults
(SQLite per tenant, flags in a file): no PostgreSQL, Redis or network needed. Every process it
starts runs in its own process group and is stopped on the way out, whatever happens.
``--keep-running`` keeps attendance and its mock up for a browser until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import requests

from running import (
    EXAMPLES,
    free_port,
    mocked_students,
    provision,
    service,
    service_env,
    shape,
)

KIT = EXAMPLES.parent
TENANTS = ("school-a", "school-b")
DEV_JWT_KEY = "dev-only-jwt-key-change-me-0123456789"
ISSUER = "https://auth.satchel.localhost"


def say(text: str = "") -> None:
    """Print one line of the story at once (the demo is read as it runs)."""
    print(text, flush=True)


def step(number: int, title: str) -> None:
    """Print a step heading."""
    say()
    say(f"== {number}. {title}")


def token(audience: str, tenant: str, hours: float = 0.1) -> str:
    """Return a development bearer token for a teacher of ``tenant``."""
    from satchel.testing import make_token

    return make_token(
        DEV_JWT_KEY,
        issuer=ISSUER,
        audience=audience,
        subject=f"teacher-{tenant}",
        expires_in=hours * 3600,
        tenant=tenant,
    )


def call(method: str, url: str, host: str, audience: str, tenant: str, **kwargs):
    """Send one request as a teacher of ``tenant`` to the tenant's host."""
    headers = {"Host": host, "Authorization": f"Bearer {token(audience, tenant)}"}
    return requests.request(method, url, headers=headers, timeout=10, **kwargs)


def stamp(workdir: Path) -> Path:
    """Stamp a new service from the template, as a team starting one would; return it."""
    from cookiecutter.main import cookiecutter

    # The post-generation hook finds git and pre-commit on PATH, as in a shell with the venv on.
    os.environ["PATH"] = (
        f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    )
    os.environ["SATCHEL_SKIP_HOOK_INSTALL"] = "1"
    out = cookiecutter(
        str(KIT),
        directory="template",
        no_input=True,
        output_dir=str(workdir),
        extra_context={"service_name": "Library", "owning_team": "team-books"},
    )
    made = sorted(
        p.relative_to(out).as_posix() for p in Path(out).rglob("*") if p.is_file()
    )
    made = [name for name in made if not name.startswith(".git/")]
    say(f"cookiecutter {KIT} --directory template  ->  {out}")
    say(
        f"{len(made)} files, a git repository with one commit and a .cruft.json, among them:"
    )
    for name in (
        "library/app.py",
        "spec/openapi.yaml",
        "library/api/notes.py",
        "Pipfile.lock",
    ):
        say(f"  {name}")
    return Path(out)


def run_stamped(root: Path, workdir: Path) -> None:
    """Start the new service on its embedded default and exercise it over HTTP."""
    step(2, "Run the new service on its embedded default (SQLite per tenant)")
    env = service_env("library", workdir / "library", root=root)
    provision("library", env, TENANTS, root=root)
    with service("library", env, free_port(), root=root) as url:
        say(f"library at {url}; tenants are sub-domains of library.localhost")

        def library(method: str, path: str, tenant: str, **kwargs):
            host = f"{tenant}.library.localhost"
            return call(method, url + path, host, "library", tenant, **kwargs)

        made = library("POST", "/v1/notes", "school-a", json={"title": "Book fair"})
        say(
            f"POST /v1/notes as school-a -> {made.status_code} {made.json()['title']!r}"
        )
        seen = library("GET", "/v1/notes", "school-b").json()["items"]
        say(f"GET /v1/notes as school-b -> {len(seen)} notes (its own database)")
        bad = library("POST", "/v1/notes", "school-a", json={"title": ""})
        say(
            f"POST /v1/notes with an empty title -> {bad.status_code} {bad.json()['errors']}"
        )
        unknown = library("GET", "/v1/notes", "no-such-school")
        say(
            f"GET /v1/notes as no-such-school -> {unknown.status_code} {unknown.json()['detail']}"
        )
        line = requests.get(f"{url}/readyz", timeout=5).json()
        say(f"GET /readyz -> {line['status']}, checks: {', '.join(line['checks'])}")


def take_register(url: str, tenant: str, session: str, marks: list[dict]) -> dict:
    """Take the register of class 1 for ``tenant`` through attendance's HTTP API."""
    body = {"date": date.today().isoformat(), "session": session, "marks": marks}
    host = f"{tenant}.attendance.localhost"
    answer = call(
        "POST", f"{url}/v1/classes/1/registers", host, "attendance", tenant, json=body
    )
    if answer.status_code != 201:
        raise SystemExit(
            f"taking the register failed: {answer.status_code} {answer.text}"
        )
    return answer.json()


def registers(url: str, tenant: str) -> list[dict]:
    """List class 1's registers as ``tenant`` sees them."""
    host = f"{tenant}.attendance.localhost"
    return call(
        "GET", f"{url}/v1/classes/1/registers", host, "attendance", tenant
    ).json()["items"]


def run_against_mock(workdir: Path, keep_running: bool) -> None:
    """Steps 3-5: attendance alone, its neighbour students answered by the mock."""
    step(3, "Run attendance alone, with students mocked from its vendored spec")
    env = service_env("attendance", workdir / "attendance")
    provision("attendance", env, TENANTS)
    say(f"tenants {', '.join(TENANTS)} provisioned: one SQLite database each")
    with mocked_students(free_port()) as mock_url:
        env["ATTENDANCE_STUDENTS_URL"] = mock_url
        port = free_port()
        with service("attendance", env, port) as url:
            say(f"students mock at {mock_url}, attendance at {url}")
            step(4, "Take a register through the HTTP API")
            marks = [
                {"pupil_id": 1, "mark": "present"},
                {"pupil_id": 2, "mark": "absent"},
            ]
            register = take_register(url, "school-a", "am", marks)
            say(
                f"POST /v1/classes/1/registers as school-a -> register {register['id']}:"
            )
            for mark in register["marks"]:
                say(f"  {mark['pupil_name']:<14} {mark['mark']}")
            step(5, "Each tenant sees only its own data")
            say(
                f"school-b sees {len(registers(url, 'school-b'))} register(s) for class 1"
            )
            other = take_register(url, "school-b", "am", marks)
            say(f"school-b takes its own register {other['id']} (its own database)")
            for tenant in TENANTS:
                seen = registers(url, tenant)
                takers = sorted({item["taken_by"] for item in seen})
                say(
                    f"{tenant} sees registers {[item['id'] for item in seen]}, taken by {takers}"
                )
            say()
            say(
                "The register page (sign in with the token below; `make demo` stops it next,"
            )
            say("`python examples/demo.py --keep-running` keeps it up for a browser):")
            say(f"  http://school-a.attendance.localhost:{port}/classes/1/register")
            say(f"  token: {token('attendance', 'school-a', hours=8)}")
            if keep_running:
                say("Running until Ctrl-C ...")
                try:
                    while True:
                        time.sleep(1)
                except KeyboardInterrupt:
                    say()


def run_against_real(workdir: Path) -> None:
    """Step 6: start the real students and show attendance gets the same shapes."""
    step(6, "Start the real students too: the same shapes as the mock")
    students_env = service_env("students", workdir / "students")
    provision("students", students_env, ("school-a",))
    with service("students", students_env, free_port()) as students_url:
        host = "school-a.students.localhost"
        created = call(
            "POST",
            f"{students_url}/v1/classes",
            host,
            "students",
            "school-a",
            json={"name": "4B", "year_group": 4},
        ).json()
        for given, family in (("Ada", "Lovelace"), ("Alan", "Turing")):
            call(
                "POST",
                f"{students_url}/v1/classes/{created['id']}/pupils",
                host,
                "students",
                "school-a",
                json={"given_name": given, "family_name": family},
            )
        say(
            f"students at {students_url}: class {created['name']} with Ada and Alan on roll"
        )
        with mocked_students(free_port()) as mock_url:
            path = f"/v1/classes/{created['id']}/pupils"
            real = call("GET", students_url + path, host, "students", "school-a").json()
            mocked = call("GET", mock_url + path, host, "students", "school-a").json()
        same = shape(real) == shape(mocked)
        say(f"GET {path}: real and mock answers have the same shape: {same}")
        if not same:
            raise SystemExit(
                f"shapes differ:\n real {shape(real)}\n mock {shape(mocked)}"
            )
        env = service_env(
            "attendance", workdir / "attendance", students_url=students_url
        )
        with service("attendance", env, free_port()) as url:
            marks = [
                {"pupil_id": 1, "mark": "absent"},
                {"pupil_id": 2, "mark": "present"},
            ]
            register = take_register(url, "school-a", "pm", marks)
            names = ", ".join(mark["pupil_name"] for mark in register["marks"])
            say(
                f"attendance took register {register['id']} against the real students: {names}"
            )


def stop_on_termination(signum: int, _frame) -> None:
    """Leave through the ``with`` blocks, which stop every process, as Ctrl-C does."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Tell the story; return 0 when every step worked."""
    # Python's default for SIGTERM and SIGHUP ends the process at once, skipping every
    # `finally`: the mock and the services would be left running.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop_on_termination)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--keep-running",
        action="store_true",
        help="wait for Ctrl-C (or SIGTERM) at step 5",
    )
    options = parser.parse_args(argv)
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="satchel-demo-"))
    try:
        step(1, "Stamp a new service from the template")
        stamped = stamp(workdir / "stamped")
        run_stamped(stamped, workdir)
        run_against_mock(workdir, options.keep_running)
        run_against_real(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    say()
    say(
        f"Done in {time.monotonic() - started:.0f}s; every process the demo started is stopped."
    )
    say(
        "Next: read examples/README.md, then examples/attendance/ and examples/students/."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
