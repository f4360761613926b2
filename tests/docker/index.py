"""The platform's package index, locally: the kit snapshot's released wheel over HTTP.

The snapshot is a real release (tests.kit.release_snapshot runs `satchel release`, which
publishes the wheel into ``dist/index``, a PEP 503 directory); a default stamp takes satchel
from the index named ``platform`` (``${SATCHEL_INDEX_URL}``) and its lock pins the released
wheel's sha256, which is what the template's Dockerfile installs.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path


def release_index(kit: Path) -> tuple[Path, str, str]:
    """Return the snapshot's published index directory, its release version and sha256."""
    config = json.loads((kit / "template" / "cookiecutter.json").read_text())
    return kit / "dist" / "index", config["_satchel_version"], config["_satchel_sha256"]


def serve_index(root: Path, port: int) -> subprocess.Popen:
    """Serve the index directory on 127.0.0.1:port (stop the returned process when done)."""
    return subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)]
        + ["--directory", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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
