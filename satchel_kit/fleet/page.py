"""Render the fleet report as one static HTML page: self-contained, no JavaScript.

Cells that break the policy are marked (colour and a word, so it reads in print and for
colour-blind readers); each service's drifted files, failing rules and notes fold out with
``<details>``, which browsers open without scripts.
"""

from __future__ import annotations

from importlib.resources import files

from jinja2 import Environment, select_autoescape

from satchel_kit.fleet.service_report import ServiceReport
from satchel_kit.fleet.policy import measure
from satchel_kit.fleet.render import HEADER, FleetReport, row

# policy key -> the column it limits.
COLUMN_OF = {
    "max_template_age_days": 2,
    "max_releases_behind": 3,
    "max_satchel_releases_behind": 4,
    "max_drifted_files": 5,
    "max_standards_failures": 6,
    "max_expired_flags": 7,
}


def _breached_columns(report: ServiceReport, policy: dict[str, int]) -> set[int]:
    columns = set()
    for key, limit in policy.items():
        value = measure(report, key)
        if value is None or value > limit:
            columns.add(COLUMN_OF[key])
    return columns


def render_page(fleet: FleetReport, policy: dict[str, int], title: str) -> str:
    """Return the HTML page of the report."""
    environment = Environment(autoescape=select_autoescape(default=True))
    template = environment.from_string(
        files("satchel_kit.fleet").joinpath("page.html").read_text()
    )
    services = [
        {
            "report": report,
            "cells": row(report),
            "breached": _breached_columns(report, policy),
        }
        for report in fleet.services
    ]
    return template.render(
        title=title,
        fleet=fleet,
        header=HEADER,
        services=services,
        policy=policy,
    )
