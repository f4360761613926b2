"""Merge the harness's two JSON results into one table with ratios against the peers.

Run by bench/mock/run.sh:  python report.py results-all.json results-quiet.json [--harness-md F]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

_PEER_ROWS = ("prism", "prism-quiet", "mockoon-env", "wiremock", "wiremock-nojournal",
              "connexion", "connexion-uvicorn")  # fmt: skip


def _ms(text: str | None) -> float | None:
    """Turn wrk's '6.78ms' / '812.00us' / '1.20s' into milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text or "")
    if not match:
        return None
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def _baseline_rows(path: Path) -> dict[str, tuple[float, float | None]]:
    """Read ``label -> (req/s, p99 ms)`` from the baseline file's Markdown table."""
    rows = {}
    for line in path.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 4 and cells[2].isdigit():
            rows[cells[0]] = (float(cells[2]), _ms(cells[4]))
    return rows


def _against_baseline(path: Path, ours: dict, quiet: dict) -> None:
    """Print the goals against the peers' recorded baseline (another session, same machine)."""
    base = _baseline_rows(path)
    print(
        f"\nAgainst the peers' recorded baseline ({path.name}, measured in another session):\n"
    )
    pairs = (("Prism (defaults)", ours, 2.0), ("Prism -v error", quiet, 2.0),
             ("WireMock --no-request-journal", quiet, 1.0))  # fmt: skip
    for label, row, goal in pairs:
        if label in base and row.get("rps"):
            ratio = row["rps"] / base[label][0]
            verdict = "met" if ratio >= goal else "NOT met"
            print(f"- {verdict}: {row['label']} {row['rps']} req/s vs {label} "
                  f"{base[label][0]:.0f}: {ratio:.2f}x (goal {goal:.0f}x)")  # fmt: skip
    peer_p99 = [
        p99 for label, (_, p99) in base.items() if p99 and not label.startswith("ref")
    ]
    for row in (ours, quiet):
        mine = _ms(row.get("p99"))
        if peer_p99 and mine is not None:
            verdict = "met" if mine < min(peer_p99) else "NOT met"
            print(f"- {verdict}: {row['label']} p99 {mine:.2f} ms vs best recorded peer "
                  f"{min(peer_p99):.2f} ms")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Print the merged Markdown report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("all_json")
    parser.add_argument("quiet_json")
    parser.add_argument("--harness-md", type=Path)
    parser.add_argument(
        "--baseline", type=Path, help="the peers' recorded baseline table"
    )
    args = parser.parse_args(argv)
    first = json.loads(Path(args.all_json).read_text())
    second = json.loads(Path(args.quiet_json).read_text())
    rows = {row["id"]: row for row in first["rows"]}
    ours = rows.pop("mut")
    quiet = next(row for row in second["rows"] if row["id"] == "mut")
    prism, prism_quiet = rows.get("prism"), rows.get("prism-quiet")
    print("# satchel-mock against its peers: GET /pets/1 throughput and correctness\n")
    print(f"- date: {first['date']} (quiet row: {second['date']}); {first['nproc']} cores; "
          f"wrk {first['wrk']}; wrk and the server share the cores")  # fmt: skip
    print("- both satchel-mock rows validate every request against the spec\n")
    print("| server | version | req/s | p50 | p99 | non-2xx | srv / wrk / other cores "
          "| RSS (MiB) | ready (s) | checks |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---|---:|---:|---|")
    for row in [ours, quiet] + [rows[k] for k in rows]:
        checks = row.get("checks") or {}
        passed = sum(1 for v in checks.values() if str(v).startswith("pass"))
        counted = sum(1 for v in checks.values() if v and v != "n/a")
        cores = row.get("cores") or {}
        name = f"**{row['label']}**" if row["id"] == "mut" else row["label"]
        print(f"| {name} | {row['version']} | {row.get('rps')} | {row.get('p50')} | "
              f"{row.get('p99')} | {row.get('non2xx')} | {cores.get('server')} / "
              f"{cores.get('wrk')} / {cores.get('other')} | {row.get('rss_mib')} | "
              f"{row.get('ready_s')} | {passed}/{counted} |")  # fmt: skip
    print("\n## Goals\n")
    print("In this run (same session as the peers):\n")
    goals = []
    if prism and ours.get("rps") and prism.get("rps"):
        ratio = ours["rps"] / prism["rps"]
        goals.append((f"defaults vs Prism defaults: {ratio:.2f}x", ratio >= 2))
    if prism_quiet and quiet.get("rps") and prism_quiet.get("rps"):
        ratio = quiet["rps"] / prism_quiet["rps"]
        goals.append((f"--quiet vs Prism -v error: {ratio:.2f}x", ratio >= 2))
    peer_p99 = [_ms(rows[k].get("p99")) for k in _PEER_ROWS if k in rows]
    peer_p99 = [p for p in peer_p99 if p is not None]
    if peer_p99:
        best = min(peer_p99)
        for row in (ours, quiet):
            mine = _ms(row.get("p99"))
            if mine is not None:
                text = f"{row['label']} p99 {mine:.2f} ms vs best peer {best:.2f} ms"
                goals.append((text, mine < best))
    wiremock = rows.get("wiremock-nojournal")
    if wiremock and quiet.get("rps") and wiremock.get("rps"):
        ratio = quiet["rps"] / wiremock["rps"]
        goals.append(
            (f"stretch: --quiet vs WireMock (no journal): {ratio:.2f}x", ratio >= 1)
        )
    for text, met in goals:
        print(f"- {'met' if met else 'NOT met'}: {text}")
    if args.baseline and args.baseline.is_file():
        _against_baseline(args.baseline, ours, quiet)
    for row in (ours, quiet):
        for check, verdict in (row.get("checks") or {}).items():
            if not str(verdict).startswith("pass"):
                print(f"- check {check} of {row['label']}: {verdict}")
    if args.harness_md and args.harness_md.is_file():
        text = args.harness_md.read_text()
        start = text.find("## Correctness checks")
        if start >= 0:
            print("\n" + text[start:].rstrip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
