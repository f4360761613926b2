"""Find the parts of a generated service a hook needs (see briefs: service layout)."""

from __future__ import annotations

from pathlib import Path

from hooks.findings import HookError

NOT_PACKAGES = {"tests", "migrations", "spec", "mocks", "deploy", "instance", "docs"}


def find_package(root: Path, given: str | None = None) -> Path:
    """Return the service's package folder: ``given``, or the one folder with api/ or app.py."""
    if given is not None:
        package = Path(given)
        if not (package / "__init__.py").is_file():
            raise HookError(
                f"--package {given} is not a Python package (no __init__.py) "
                "(fix: pass the folder that holds app.py and api/)"
            )
        return package
    candidates = sorted(
        child
        for child in root.iterdir()
        if child.is_dir()
        and child.name not in NOT_PACKAGES
        and (child / "__init__.py").is_file()
        and ((child / "api").is_dir() or (child / "app.py").is_file())
    )
    if len(candidates) != 1:
        found = ", ".join(c.name for c in candidates) or "none"
        raise HookError(
            f"expected one service package (a folder with __init__.py and api/ or app.py) "
            f"under {root.resolve()}, found {found} (fix: run from the service root or pass "
            "--package NAME)"
        )
    return candidates[0]
