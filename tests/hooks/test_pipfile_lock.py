"""satchel-pipfile-lock: Pipfile.lock's hash is what pipenv computes for the Pipfile."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from pipenv.project import Project
from pipenv.vendor import plette

from hooks.pipfile_lock import check_lock, main, pipfile_hash
from tests.hooks.conftest import SERVICE, write

RELOCK = "(fix: run `pipenv lock` and commit Pipfile and Pipfile.lock together)"
# No case without [[source]]: pipenv then hashes the index of the machine's pip.conf, so such a
# lock differs between machines; the hook assumes PyPI, as pipenv does on a plain machine.
PIPFILES = [
    pytest.param((SERVICE / "Pipfile").read_text(), id="fixture-service"),
    pytest.param(
        '[[source]]\nurl = "https://pypi.org/simple"\nverify_ssl = true\nname = "pypi"\n\n'
        '[packages]\nFlask_SQLAlchemy = {version = ">=3", extras = ["async"]}\n\n'
        '[docs]\nSphinx = "*"\n\n[scripts]\ntest = "pytest"\n',
        id="mixed-case-names-custom-category-scripts",
    ),
]


@pytest.mark.parametrize("text", PIPFILES)
def test_hash_matches_pipenv(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """pipfile_hash equals the hash pipenv itself writes into Pipfile.lock."""
    write(workdir, {"Pipfile": text})
    monkeypatch.setenv("PIPENV_PIPFILE", str(workdir / "Pipfile"))
    monkeypatch.setenv("PIPENV_VERBOSITY", "-1")
    assert pipfile_hash(tomllib.loads(text)) == Project().pipfile.calculate_hash()


@pytest.mark.parametrize("text", PIPFILES)
def test_legacy_hash_matches_plette(workdir: Path, text: str) -> None:
    """With names kept as written, the hash is plette's (older pipenv releases)."""
    write(workdir, {"Pipfile": text})
    with open("Pipfile") as handle:
        legacy = plette.Pipfile.load(handle).get_hash().value
    assert pipfile_hash(tomllib.loads(text), normalise=str) == legacy


def _lock(digest: str | None) -> str:
    return json.dumps(
        {"_meta": {"hash": {"sha256": digest}} if digest else {}, "default": {}}
    )


GOOD = pipfile_hash(tomllib.loads((SERVICE / "Pipfile").read_text()))
CASES = [
    pytest.param({"Pipfile.lock": _lock(GOOD)}, [], id="in-sync"),
    pytest.param(
        {"Pipfile.lock": _lock("0" * 64)},
        [
            f"Pipfile.lock:1: SAT-DEP-001 Pipfile.lock is out of date with Pipfile (locked hash "
            f"000000000000..., Pipfile hashes to {GOOD[:12]}...) {RELOCK}"
        ],
        id="stale",
    ),
    pytest.param(
        {"Pipfile.lock": _lock(None)},
        [f"Pipfile.lock:1: SAT-DEP-001 Pipfile.lock has no _meta.hash {RELOCK}"],
        id="no-hash",
    ),
    pytest.param(
        {},
        [f"Pipfile:1: SAT-DEP-001 Pipfile has no Pipfile.lock {RELOCK}"],
        id="no-lock",
    ),
    pytest.param(
        {"Pipfile.lock": "{\n  nope"},
        [
            "Pipfile.lock:2: SAT-STD-001 is not valid JSON: Expecting property name enclosed in "
            f"double quotes {RELOCK}"
        ],
        id="lock-not-json",
    ),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_main(
    workdir: Path, run_main, files: dict[str, str], expected: list[str]
) -> None:
    """main checks the pair whichever of the two files is passed; exit 1 on findings."""
    write(workdir, {"Pipfile": (SERVICE / "Pipfile").read_text(), **files})
    code, out, err = run_main(main, ["Pipfile", *files])
    assert (code, out.splitlines(), err) == (1 if expected else 0, expected, "")


def test_check_lock_in_subfolder(workdir: Path) -> None:
    """The lock is looked for beside the Pipfile, wherever that is."""
    write(
        workdir,
        {"svc/Pipfile": (SERVICE / "Pipfile").read_text(), "svc/Pipfile.lock": "{}"},
    )
    assert [str(f) for f in check_lock(Path("svc/Pipfile"))] == [
        f"svc/Pipfile.lock:1: SAT-DEP-001 Pipfile.lock has no _meta.hash {RELOCK}"
    ]
