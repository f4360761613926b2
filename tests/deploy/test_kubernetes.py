"""deploy/kubernetes.yaml validates against the Kubernetes API schemas, strictly."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from tests.kit import BIN, KIT


@pytest.mark.parametrize("version", ["1.29.0", "1.31.0"])
def test_manifests_validate(service, version):
    """Every object in the stamp's and the examples' manifests passes kubernetes-validate."""
    files = [
        service / "deploy" / "kubernetes.yaml",
        KIT / "examples" / "students" / "deploy" / "kubernetes.yaml",
        KIT / "examples" / "attendance" / "deploy" / "kubernetes.yaml",
    ]
    done = subprocess.run(
        [str(BIN / "kubernetes-validate"), "--strict", "-k", version, *map(str, files)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("passed for resource") == 30


def test_prewarm_and_drain_are_declared(service):
    """Readiness on /readyz, a preStop drain, and the 9am pre-warm in London time."""
    docs = {
        d["kind"] + "/" + d["metadata"]["name"]: d
        for d in yaml.safe_load_all(
            (service / "deploy" / "kubernetes.yaml").read_text()
        )
    }
    pod = docs["Deployment/attendance"]["spec"]["template"]["spec"]
    app = pod["containers"][0]
    assert app["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert app["lifecycle"]["preStop"] == {"sleep": {"seconds": 10}}
    prewarm = docs["CronJob/attendance-prewarm"]["spec"]
    assert (prewarm["schedule"], prewarm["timeZone"]) == (
        "30 7 * * 1-5",
        "Europe/London",
    )
    assert docs["HorizontalPodAutoscaler/attendance"]["spec"]["maxReplicas"] == 60
    assert {"Job/attendance-migrate", "PodDisruptionBudget/attendance"} <= set(docs)
