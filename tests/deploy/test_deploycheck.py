"""satchel-deploy-check refuses bad deployment parameters with one line each."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.kit import BIN, KIT


def run_check(service, tmp_path, **overrides):
    """Run the check on the stamp's template with its example parameters and ``overrides``."""
    listed = json.loads((service / "deploy" / "parameters.example.json").read_text())
    values = {p["ParameterKey"]: p["ParameterValue"] for p in listed}
    for key, value in overrides.items():
        if value is None:
            values.pop(key)
        else:
            values[key] = value
    path = tmp_path / "parameters.json"
    path.write_text(json.dumps({"Parameters": values}))
    template = service / "deploy" / "cloudformation.yaml"
    return subprocess.run(
        [str(BIN / "satchel-deploy-check"), str(template), str(path)],
        capture_output=True,
        text=True,
    )


def test_example_parameters_pass(service, tmp_path):
    """The parameters a stamp ships as its example are accepted."""
    done = run_check(service, tmp_path)
    assert (done.returncode, done.stdout) == (0, "")


@pytest.mark.parametrize(
    "overrides, line",
    [
        ({"JwtKeyArn": None}, "JwtKeyArn: missing; the template has no default for it"),
        (
            {"SecretKeyArn": "attendance/secret-key"},
            "SecretKeyArn: 'attendance/secret-key' must be the ARN of a Secrets Manager "
            "secret or an SSM parameter",
        ),
        (
            {"MaxTasks": "10"},
            "MaxTasks: the cap (10) is below PrewarmMinTasks (20); raise the cap or lower "
            "the pre-warm minimum",
        ),
        (
            {"ScheduleTimezone": "Europe/Londn"},
            "ScheduleTimezone: 'Europe/Londn' is not a time zone; use an IANA name such as "
            "Europe/London",
        ),
        (
            {"StudentsUrl": "http://127.0.0.1:8101"},
            "StudentsUrl: 'http://127.0.0.1:8101' must be the students service's URL in this "
            "environment, not localhost",
        ),
        (
            {
                "ImageUri": "123456789012.dkr.ecr.eu-west-2.amazonaws.com/attendance:latest"
            },
            "must name a registry, a repository and a release tag or sha256 digest, not latest",
        ),
        (
            {"DeregistrationDelaySeconds": "5", "DrainSeconds": "5"},
            "DeregistrationDelaySeconds (5) must be longer than DrainSeconds (5)",
        ),
        ({"Colour": "blue"}, "Colour: not a parameter of cloudformation.yaml"),
    ],
    ids=[
        "missing-secret",
        "secret-not-arn",
        "cap-below-min",
        "bad-zone",
        "localhost-neighbour",
        "latest-image",
        "drain-vs-delay",
        "unknown",
    ],
)
def test_bad_parameters_are_refused(service, tmp_path, overrides, line):
    """Each mistake exits 1 with a line naming the parameter and the fix."""
    done = run_check(service, tmp_path, **overrides)
    assert done.returncode == 1
    assert line in done.stdout


def test_unreadable_files_are_a_usage_error(tmp_path):
    """A template or parameters file that cannot be read exits 2 with a clear message."""
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    template = KIT / "examples" / "students" / "deploy" / "cloudformation.yaml"
    done = subprocess.run(
        [str(BIN / "satchel-deploy-check"), str(template), str(bad)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "cannot read the parameters" in done.stderr


def test_examples_are_wired_to_each_other():
    """attendance calls students by a parameter that refuses localhost; students calls none."""
    attendance = (
        KIT / "examples" / "attendance" / "deploy" / "cloudformation.yaml"
    ).read_text()
    students = (
        KIT / "examples" / "students" / "deploy" / "cloudformation.yaml"
    ).read_text()
    assert "ATTENDANCE_STUDENTS_URL, Value: !Ref StudentsUrl" in attendance
    assert "127.0.0.1:81" not in attendance
    assert "_URL, Value: !Ref" not in students.replace("FLAGS_STORE", "")
