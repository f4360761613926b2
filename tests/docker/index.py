"""The platform's package index, locally: the kit's wheel in a PEP 503 directory over HTTP.

A stamp's Pipfile takes satchel from the index named ``platform``, whose URL is
``${SATCHEL_INDEX_URL}``, and its lock pins the wheel's sha256 (the contract of the template's
Dockerfile). :func:`pin_to_index` rewrites a stamp that way, for stamps made before the
template does it itself.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

INDEX_SOURCE = {"name": "platform", "url": "${SATCHEL_INDEX_URL}", "verify_ssl": True}


def build_index(source: Path, root: Path) -> tuple[Path, str, str]:
    """Build satchel's wheel from ``source`` into a PEP 503 tree; return it, version, sha256."""
    wheels = root / "files"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(wheels),
        ]
        + [str(source)],
        check=True,
        capture_output=True,
    )
    [wheel] = wheels.glob("satchel-*.whl")
    version = wheel.name.split("-")[1]
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    project = root / "simple" / "satchel"
    project.mkdir(parents=True)
    link = f'<a href="../../files/{wheel.name}#sha256={digest}">{wheel.name}</a>'
    (project / "index.html").write_text(
        f"<!DOCTYPE html><html><body>{link}</body></html>\n"
    )
    (root / "simple" / "index.html").write_text(
        '<!DOCTYPE html><html><body><a href="satchel/">satchel</a></body></html>\n'
    )
    return root, version, digest


def serve_index(root: Path, port: int) -> subprocess.Popen:
    """Serve the index directory on 127.0.0.1:port (stop the returned process when done)."""
    return subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)]
        + ["--directory", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def pin_to_index(service: Path, version: str, digest: str) -> None:
    """Point a stamp's Pipfile and lock at satchel ``version`` from the platform index."""
    pipfile = (service / "Pipfile").read_text()
    if 'name = "platform"' not in pipfile:
        pipfile = pipfile.replace(
            "[packages]",
            '[[source]]\nurl = "${SATCHEL_INDEX_URL}"\nverify_ssl = true\n'
            'name = "platform"\n\n[packages]',
            1,
        )
    pipfile = re.sub(
        r"^satchel = \{[^\n]*extras = (\[[^\]]*\])[^\n]*\}$",
        rf'satchel = {{version = "=={version}", index = "platform", extras = \1}}',
        pipfile,
        flags=re.M,
    )
    pipfile = re.sub(
        r"^satchel = \{(?![^\n]*index)[^\n]*\}$",
        f'satchel = {{version = "=={version}", index = "platform"}}',
        pipfile,
        flags=re.M,
    )
    (service / "Pipfile").write_text(pipfile)
    lock = json.loads((service / "Pipfile.lock").read_text())
    sources = lock["_meta"]["sources"]
    if not any(source["name"] == "platform" for source in sources):
        sources.append(dict(INDEX_SOURCE))
    pinned = {
        "hashes": [f"sha256:{digest}"],
        "index": "platform",
        "version": f"=={version}",
    }
    lock["default"]["satchel"] = dict(pinned)
    lock["develop"]["satchel"] = dict(pinned, extras=["hooks", "mock"])
    (service / "Pipfile.lock").write_text(
        json.dumps(lock, indent=4, sort_keys=True) + "\n"
    )


def add_locked(service: Path, name: str, version: str, work: Path) -> None:
    """Add ``name==version`` with its wheel's hash to the lock's default section."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
        ]
        + ["-d", str(work), f"{name}=={version}"],
        check=True,
        capture_output=True,
    )
    [wheel] = work.glob(f"{name.replace('-', '_')}-{version}-*.whl")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    lock = json.loads((service / "Pipfile.lock").read_text())
    lock["default"][name] = {"hashes": [f"sha256:{digest}"], "version": f"=={version}"}
    (service / "Pipfile.lock").write_text(
        json.dumps(lock, indent=4, sort_keys=True) + "\n"
    )
