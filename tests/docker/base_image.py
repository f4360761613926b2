"""A local stand-in for the Dockerfile's pinned ``python:3.11.x-slim-bookworm`` base.

No image registry is reachable here, so the base is built from Debian's own packages:
``debootstrap --variant=minbase bookworm`` with python3 and venv support, laid out as the
official image is where the Dockerfile relies on it (``python`` and ``python3`` in
/usr/local/bin, first on PATH; ``python -m venv``), then ``docker import``-ed under the
Dockerfile's tag. It differs from the official image in Python's patch release (Debian's
3.11.2). It also trusts what this machine trusts (its CA bundle, and pip told to use it), so
that pip inside the build gets through a TLS-inspecting egress proxy as pip on the host
does. The root filesystem is cached by tag and recipe, because debootstrap takes a minute or
more; the import and everything built on it are redone every run.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.docker.engine import Engine, EngineError

PACKAGES = ("python3", "python3-venv", "ca-certificates")
MIRROR = "http://deb.debian.org/debian"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "satchel"
# What the official image sets that the Dockerfile relies on.
CHANGES = (
    "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
    'CMD ["python3"]',
)
FROM = re.compile(r"^FROM\s+(\S+)", re.MULTILINE | re.IGNORECASE)


def base_tags(dockerfile: Path) -> set[str]:
    """Return the images a Dockerfile builds FROM (its own stage names excluded)."""
    text = dockerfile.read_text()
    stages = set(re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", text, re.M | re.I))
    return {tag for tag in FROM.findall(text) if tag not in stages}


def _recipe(tag: str) -> str:
    recipe = "|".join((tag, "bookworm", MIRROR, *PACKAGES, *CHANGES, "v1"))
    return hashlib.sha256(recipe.encode()).hexdigest()[:16]


def rootfs_tarball(tag: str) -> Path:
    """Return the cached root filesystem for ``tag``, building it with debootstrap if needed."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", tag)
    tarball = CACHE / "docker-base" / f"{safe}-{_recipe(tag)}.tar"
    if tarball.exists():
        return tarball
    if not shutil.which("debootstrap"):
        raise EngineError(
            "debootstrap is needed to build the base image: apt-get install debootstrap"
        )
    tarball.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="satchel-rootfs-") as work:
        root = Path(work) / "rootfs"
        done = subprocess.run(
            ["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}"]
            + ["bookworm", str(root), MIRROR],
            capture_output=True,
            text=True,
            timeout=1200,
        )
        if done.returncode != 0:
            raise EngineError(
                f"debootstrap failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )
        _slim(root)
        partial = tarball.with_suffix(".partial")
        subprocess.run(
            ["tar", "--numeric-owner", "-C", str(root), "-cf", str(partial), "."],
            check=True,
        )
        partial.rename(tarball)
    return tarball


def _slim(root: Path) -> None:
    """Drop apt's caches, docs and locales (as the slim image does); add the official paths."""
    for path in (
        "var/cache/apt",
        "var/lib/apt/lists",
        "usr/share/doc",
        "usr/share/man",
    ):
        shutil.rmtree(root / path, ignore_errors=True)
        (root / path).mkdir(parents=True, exist_ok=True)
    locales = root / "usr/share/locale"
    for entry in locales.iterdir() if locales.exists() else ():
        shutil.rmtree(entry, ignore_errors=True)
    local_bin = root / "usr/local/bin"
    local_bin.mkdir(parents=True, exist_ok=True)
    for name in ("python", "python3"):
        (local_bin / name).unlink(missing_ok=True)
        (local_bin / name).symlink_to("/usr/bin/python3")


HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def ensure_base(engine: Engine, dockerfile: Path) -> list[str]:
    """Import the stand-in under every base tag the Dockerfile names; return the tags."""
    tags = sorted(base_tags(dockerfile))
    for tag in tags:
        if engine.run("image", "inspect", tag, check=False).returncode == 0:
            continue
        args = ["import"]
        for change in CHANGES:
            args += ["--change", change]
        engine.run(*args, str(rootfs_tarball(tag)), f"{tag}-rootfs", timeout=600)
        _trust_like_the_host(engine, tag)
    return tags


def _trust_like_the_host(engine: Engine, tag: str) -> None:
    """Tag ``tag`` as the imported root filesystem plus this machine's CA bundle for pip."""
    with tempfile.TemporaryDirectory(prefix="satchel-trust-") as work:
        context = Path(work)
        lines = [f"FROM {tag}-rootfs"]
        if HOST_CA_BUNDLE.exists():
            shutil.copy(HOST_CA_BUNDLE, context / "ca-certificates.crt")
            (context / "pip.conf").write_text(f"[global]\ncert = {HOST_CA_BUNDLE}\n")
            lines += [
                f"COPY ca-certificates.crt {HOST_CA_BUNDLE}",
                "COPY pip.conf /etc/pip.conf",
            ]
        (context / "Dockerfile").write_text("\n".join(lines) + "\n")
        engine.run("build", "--tag", tag, str(context), timeout=600)
