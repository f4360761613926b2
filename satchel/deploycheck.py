"""``satchel-deploy-check``: refuse a CloudFormation deployment's parameters before AWS does.

Run it in the release pipeline before ``aws cloudformation deploy``::

    satchel-deploy-check deploy/cloudformation.yaml production-parameters.json

It applies the template's own parameter constraints (required values, ``AllowedPattern``,
``AllowedValues``, ``MinValue``/``MaxValue``) and then what CloudFormation cannot express:
the cap is at least the pre-warm minimum, which is at least the overnight minimum; the load
balancer's deregistration delay outlasts the service's drain; the schedules' time zone
exists. Exit 0 when the parameters are fine, 1 with one line per problem, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zoneinfo
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

__all__ = ["DeployCheckError", "check", "main"]


class DeployCheckError(Exception):
    """A file cannot be read as a template or a parameters file; the message says which."""


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (!Ref, !Sub...) read as plain values."""


_CfnLoader.add_multi_constructor(
    "!",
    lambda loader, suffix, node: (
        loader.construct_scalar(node)
        if isinstance(node, yaml.ScalarNode)
        else (
            loader.construct_sequence(node)
            if isinstance(node, yaml.SequenceNode)
            else loader.construct_mapping(node)
        )
    ),
)


def load_template(path: Path) -> dict[str, dict[str, Any]]:
    """Return the template's Parameters section."""
    try:
        document = yaml.load(
            path.read_text(), Loader=_CfnLoader
        )  # noqa: S506 - safe loader
    except (OSError, yaml.YAMLError) as error:
        raise DeployCheckError(f"{path}: cannot read the template: {error}") from None
    if not isinstance(document, dict) or not isinstance(
        document.get("Parameters"), dict
    ):
        raise DeployCheckError(
            f"{path}: no Parameters section; is it a CloudFormation template?"
        )
    return document["Parameters"]


def load_parameters(path: Path) -> dict[str, str]:
    """Read ``[{"ParameterKey": k, "ParameterValue": v}, ...]`` or ``{"Parameters": {k: v}}``."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise DeployCheckError(f"{path}: cannot read the parameters: {error}") from None
    if isinstance(data, dict) and isinstance(data.get("Parameters"), dict):
        return {str(k): str(v) for k, v in data["Parameters"].items()}
    if isinstance(data, list) and all(
        isinstance(item, dict) and "ParameterKey" in item for item in data
    ):
        return {
            item["ParameterKey"]: str(item.get("ParameterValue", "")) for item in data
        }
    raise DeployCheckError(
        f"{path}: expected a list of ParameterKey/ParameterValue objects "
        'or {"Parameters": {name: value}}'
    )


def _constraint_problems(name: str, spec: dict[str, Any], value: str) -> list[str]:
    problems = []
    pattern = spec.get("AllowedPattern")
    if pattern and not re.fullmatch(pattern, value):
        why = spec.get("ConstraintDescription", f"must match {pattern}")
        problems.append(f"{name}: {value!r} {why}")
    allowed = spec.get("AllowedValues")
    if allowed and value not in [str(a) for a in allowed]:
        problems.append(
            f"{name}: {value!r} is not one of {', '.join(map(str, allowed))}"
        )
    if spec.get("Type") == "Number":
        try:
            number = float(value)
        except ValueError:
            return problems + [f"{name}: {value!r} is not a number"]
        if "MinValue" in spec and number < float(spec["MinValue"]):
            problems.append(f"{name}: {value} is below its minimum {spec['MinValue']}")
        if "MaxValue" in spec and number > float(spec["MaxValue"]):
            problems.append(f"{name}: {value} is above its maximum {spec['MaxValue']}")
    if "MinLength" in spec and len(value) < int(spec["MinLength"]):
        problems.append(f"{name}: must not be empty")
    return problems


def _relation_problems(values: dict[str, str]) -> list[str]:
    """What CloudFormation cannot say: order of the task counts, drain, time zone."""
    problems = []

    def number(key: str) -> float | None:
        try:
            return float(values[key])
        except (KeyError, ValueError):
            return None

    low, prewarm, cap = (
        number("MinTasks"),
        number("PrewarmMinTasks"),
        number("MaxTasks"),
    )
    if prewarm is not None and cap is not None and cap < prewarm:
        problems.append(
            f"MaxTasks: the cap ({cap:g}) is below PrewarmMinTasks ({prewarm:g}); "
            "raise the cap or lower the pre-warm minimum"
        )
    if low is not None and prewarm is not None and prewarm < low:
        problems.append(
            f"PrewarmMinTasks ({prewarm:g}) is below MinTasks ({low:g}): "
            "the 9am pre-warm would lower the fleet"
        )
    drain, delay = number("DrainSeconds"), number("DeregistrationDelaySeconds")
    if drain is not None and delay is not None and delay <= drain:
        problems.append(
            f"DeregistrationDelaySeconds ({delay:g}) must be longer than DrainSeconds "
            f"({drain:g}), or requests reach tasks that have stopped"
        )
    zone = values.get("ScheduleTimezone")
    if zone is not None:
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            problems.append(
                f"ScheduleTimezone: {zone!r} is not a time zone; use an IANA name "
                "such as Europe/London"
            )
    return problems


def check(template: Path, parameters: Path) -> list[str]:
    """Return one line per problem with the parameters for this template."""
    specs = load_template(template)
    given = load_parameters(parameters)
    problems = [
        f"{name}: not a parameter of {template.name}; remove it or fix its spelling"
        for name in given
        if name not in specs
    ]
    values = {}
    for name, spec in specs.items():
        if name in given:
            values[name] = given[name]
        elif "Default" in spec:
            values[name] = str(spec["Default"])
        else:
            problems.append(f"{name}: missing; the template has no default for it")
            continue
        problems += _constraint_problems(name, spec, values[name])
    return problems + _relation_problems(values)


def main(argv: Sequence[str] | None = None) -> int:
    """Print each problem as ``<parameters file>: <problem>``; exit 0, 1 or 2."""
    parser = argparse.ArgumentParser(
        prog="satchel-deploy-check", description=__doc__.splitlines()[0]
    )
    parser.add_argument("template", type=Path)
    parser.add_argument("parameters", type=Path)
    options = parser.parse_args(argv)
    try:
        problems = check(options.template, options.parameters)
    except DeployCheckError as error:
        print(f"satchel-deploy-check: {error}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"{options.parameters}: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
