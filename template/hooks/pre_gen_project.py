"""Validate the answers before anything is written; say what to type instead.

This hook only validates (cookiecutter-django's rule): it never creates or changes files.
When cruft re-renders the template (``cruft diff``/``update``, no ``_output_dir`` in the
answers), paths given relative to where the bake ran resolve nowhere, so only the answers
themselves are checked (post_gen_project.py's docstring).
"""

import json
import keyword
import os
import re
import sys

ANSWERS = json.loads(r"""{{ cookiecutter | jsonify }}""")
# Resolved by the template's local_extensions.py, which post_gen_project.py reads too.
NEIGHBOURS = json.loads(r"""{{ cookiecutter | satchel_neighbours | jsonify }}""")
SATCHEL_SOURCE = r"""{{ cookiecutter | satchel_source }}"""
RE_RENDER = "_output_dir" not in ANSWERS

SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9 -]*$")
# Packages a service imports: a service package of the same name would shadow them.
TAKEN = {
    "satchel",
    "mockserver",
    "hooks",
    "flask",
    "sqlalchemy",
    "alembic",
    "tests",
    "app",
}


def check_service_name(value):
    if not NAME.match(value) or len(value) > 50:
        return (
            f"service_name {value!r} is not valid: use up to 50 letters, digits, spaces or "
            "dashes, starting with a letter (e.g. 'Students' or 'Pupil Records')."
        )
    return None


DIGITS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
)


def words_of(value):
    """Split an answer into lowercase words, spelling out leading digits ('9-lives': nine)."""
    words = re.findall(r"[a-z0-9]+", value.lower())
    if words and words[0][0].isdigit():
        digits = re.match(r"\d+", words[0]).group()
        rest = words[0][len(digits) :]
        words = [DIGITS[int(d)] for d in digits] + ([rest] if rest else []) + words[1:]
    return words


def suggest_slug(value, limit):
    """Return a slug close to the answer that the slug rule accepts ('9-lives': 'nine-lives')."""
    words = words_of(value) or ["my", "service"]
    slug = words[0][:limit]
    for word in words[1:]:
        if len(slug) + 1 + len(word) > limit:
            break
        slug = f"{slug}-{word}"
    return slug


def suggest_package(value):
    """Return a package name close to the answer that the package rule accepts."""
    name = "_".join(words_of(value)) or "my"
    if keyword.iskeyword(name) or name in sys.stdlib_module_names or name in TAKEN:
        name += "_service"
    return name


def check_slug(field, value, limit):
    if not SLUG.match(value) or len(value) > limit:
        suggestion = suggest_slug(value, limit)
        return (
            f"{field} {value!r} is not valid: use up to {limit} lowercase letters, digits and "
            f"single dashes, starting with a letter (e.g. {suggestion!r})."
        )
    return None


def check_package_name(value):
    problem_ = None
    if not value.isidentifier() or value != value.lower() or keyword.iskeyword(value):
        problem_ = "is not a lowercase Python identifier"
    elif value in sys.stdlib_module_names or value in TAKEN:
        problem_ = "would shadow a module the service imports"
    if problem_:
        return (
            f"package_name {value!r} {problem_}: use lowercase letters, digits and "
            f"underscores, e.g. {suggest_package(value)!r}."
        )
    return None


def check_satchel_source(source):
    if source.startswith(
        ("gh:", "gl:", "bb:", "git+", "git@", "https://", "http://", "ssh://")
    ):
        return None
    if not os.path.isfile(os.path.join(source, "setup.cfg")) or not os.path.isfile(
        os.path.join(source, "satchel", "__init__.py")
    ):
        return (
            f"satchel_source {source!r} is not a satchel checkout (no setup.cfg and "
            "satchel/__init__.py in it): give the path of a local satchel checkout (relative "
            "to the output directory) or its git URL, or leave it empty to use the checkout "
            "this template came from."
        )
    return None


def neighbour_error(neighbour):
    """Return the neighbour's error, but not a missing spec file when cruft re-renders."""
    error = neighbour["error"]
    if RE_RENDER and error and not os.path.isfile(neighbour["spec"]):
        # local_extensions.py checks the slug, self and duplicates before the file.
        return None if ": no spec file at " in error else error
    return error


def main():
    errors = [
        check_service_name(ANSWERS["service_name"]),
        check_slug("service_slug", ANSWERS["service_slug"], 40),
        check_package_name(ANSWERS["package_name"]),
        check_slug("owning_team", ANSWERS["owning_team"], 40),
        None if RE_RENDER else check_satchel_source(SATCHEL_SOURCE),
    ]
    if not ANSWERS["description"].strip():
        errors.append(
            "description is empty: give one line saying what the service does."
        )
    errors += [neighbour_error(neighbour) for neighbour in NEIGHBOURS]
    errors = [error for error in errors if error]
    for error in errors:
        print(f"ERROR: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
