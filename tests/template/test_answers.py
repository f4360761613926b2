"""Each bad answer is refused before anything is written, with a message saying what to type."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.kit import BIN, tool_env

BAD_ANSWERS = [
    (
        "slug-with-capitals",
        {"service_slug": "My_Service"},
        "service_slug 'My_Service' is not valid: use up to 40 lowercase letters, digits and "
        "single dashes, starting with a letter (e.g. 'my-service').",
    ),
    (
        "slug-starting-with-digit",
        {"service_slug": "1students"},
        "service_slug '1students' is not valid: use up to 40 lowercase letters, digits and "
        "single dashes, starting with a letter (e.g. 'one-students').",
    ),
    (
        "slug-starting-with-digit-and-dash",
        {"service_slug": "9-lives"},
        "service_slug '9-lives' is not valid: use up to 40 lowercase letters, digits and "
        "single dashes, starting with a letter (e.g. 'nine-lives').",
    ),
    (
        "package-starting-with-digit",
        {"package_name": "9_lives"},
        "package_name '9_lives' is not a lowercase Python identifier: use lowercase letters, "
        "digits and underscores, e.g. 'nine_lives'.",
    ),
    (
        "name-with-symbols",
        {"service_name": "Students!"},
        "service_name 'Students!' is not valid: use up to 50 letters, digits, spaces or "
        "dashes, starting with a letter (e.g. 'Students' or 'Pupil Records').",
    ),
    (
        "package-is-keyword",
        {"package_name": "class"},
        "package_name 'class' is not a lowercase Python identifier: use lowercase letters, "
        "digits and underscores, e.g. 'class_service'.",
    ),
    (
        "package-shadows-stdlib",
        {"package_name": "logging"},
        "package_name 'logging' would shadow a module the service imports: use lowercase "
        "letters, digits and underscores, e.g. 'logging_service'.",
    ),
    (
        "team-not-a-slug",
        {"owning_team": "Team Classroom"},
        "owning_team 'Team Classroom' is not valid: use up to 40 lowercase letters, digits and "
        "single dashes, starting with a letter (e.g. 'team-classroom').",
    ),
    (
        "empty-description",
        {"description": "  "},
        "description is empty: give one line saying what the service does.",
    ),
    (
        "neighbour-is-itself",
        {"neighbours": "students"},
        "neighbour 'students' is the service itself: list only other services.",
    ),
    (
        "neighbour-bad-name",
        {"neighbours": "Time Table"},
        "neighbour 'Time Table' is not a service slug: use lowercase letters, digits and single "
        "dashes, starting with a letter.",
    ),
    (
        "neighbour-spec-missing",
        {"neighbours": "rooms=specs/rooms.yaml"},
        "neighbour 'rooms': no spec file at {out}/specs/rooms.yaml. Give its spec as "
        "'rooms=path/to/openapi.yaml', relative to the output directory.",
    ),
    (
        "satchel-source-not-a-checkout",
        {"satchel_source": "/tmp"},
        "satchel_source '/tmp' is not a satchel checkout (no setup.cfg and satchel/__init__.py "
        "in it): give the path of a local satchel checkout relative to the new service's folder "
        "(e.g. '../satchel'), its git URL, or leave it empty to install satchel from the "
        "platform index.",
    ),
    (
        "no-kit-url",
        {"_satchel_repository": ""},
        "the kit's git URL is unknown: the template came from a local folder and "
        "_satchel_repository in template/cookiecutter.json is empty. Set it to where your "
        "platform team hosts the kit, or stamp from the kit's git URL.",
    ),
]


@pytest.mark.parametrize(
    "answers, message",
    [case[1:] for case in BAD_ANSWERS],
    ids=[case[0] for case in BAD_ANSWERS],
)
def test_bad_answer_is_refused(kit_repo, tmp_path, answers, message):
    """cookiecutter stops, prints the hook's message and no traceback, and writes nothing."""
    result = bake(kit_repo, tmp_path, answers)
    assert result.returncode != 0
    assert f"ERROR: {message.format(out=tmp_path)}" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.splitlines()[-2:] == [
        "ERROR: Stopping generation because pre_gen_project hook script didn't exit "
        "successfully",
        "Hook script failed (exit status: 1)",
    ]
    assert list(tmp_path.iterdir()) == []


def bake(kit_repo, out, answers: dict) -> subprocess.CompletedProcess:
    """Run the real cookiecutter command line with the answers, no prompts."""
    extra = [f"{key}={value}" for key, value in answers.items()]
    return subprocess.run(
        [BIN / "cookiecutter", str(kit_repo), "--directory", "template", "--no-input"]
        + ["--output-dir", str(out), *extra],
        capture_output=True,
        text=True,
        env=tool_env(),
    )


SUGGESTED = [
    case
    for case in BAD_ANSWERS
    if list(case[1]) in (["service_slug"], ["package_name"], ["owning_team"])
]


@pytest.mark.parametrize(
    "answers, message",
    [case[1:] for case in SUGGESTED],
    ids=[case[0] for case in SUGGESTED],
)
def test_suggestion_is_itself_accepted(kit_repo, tmp_path, answers, message):
    """The answer a message suggests passes the same check (the bake stops on another one)."""
    field = next(iter(answers))
    suggestion = re.search(r"e\.g\. '([^']+)'", message).group(1)
    result = bake(kit_repo, tmp_path, {field: suggestion, "description": " "})
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR: ")]
    assert (result.returncode, errors) == (
        1,
        ["ERROR: description is empty: give one line saying what the service does."],
    )
