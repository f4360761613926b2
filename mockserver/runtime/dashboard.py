"""The dashboard at ``GET /__satchel/``: neighbours, operations, scenarios, faults, journal.

Server-rendered HTML with no external assets and no JavaScript: the page refreshes itself
with a meta refresh (and a link), so it works in any browser, including with scripts off.
"""

from __future__ import annotations

import time
from html import escape

from mockserver.runtime.journal import Entry
from mockserver.runtime.mockset import Listener, MockSet

__all__ = ["JOURNAL_ROWS", "REFRESH_SECONDS", "render_dashboard"]

REFRESH_SECONDS = 3
JOURNAL_ROWS = 50

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1f24}
h1{font-size:1.3rem}h2{font-size:1.1rem;margin-top:1.5rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ccd;padding:.2rem .5rem;
text-align:left;vertical-align:top}th{background:#eef}code{font-size:13px}
.fault{color:#a00}.miss{background:#fee}.dim{color:#667}
"""


def render_dashboard(mocks: MockSet, listener: Listener) -> bytes:
    """Return the dashboard page for the neighbours served on ``listener``."""
    names = listener.names()
    counts: dict[tuple[str, str | None], int] = {}
    for entry in mocks.journal.entries():
        key = (entry.neighbour, entry.operation_id)
        counts[key] = counts.get(key, 0) + 1
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">',
        # An empty icon: else the browser asks the neighbour's port for /favicon.ico, a miss
        # that would show up in the journal.
        '<link rel=icon href="data:,"><title>satchel-mock</title>',
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>satchel-mock on port {listener.port}</h1>",
        f'<p class=dim>Refreshes every {REFRESH_SECONDS} s. <a href="/__satchel/">Refresh now'
        '</a> · <a href="/__satchel/journal">journal (JSON)</a> · '
        '<a href="/__satchel/coverage">coverage (JSON)</a></p>',
    ]
    for name in names:
        parts.append(_neighbour(mocks, name, counts))
    parts.append(_faults(mocks, names))
    parts.append(_journal([e for e in mocks.journal.entries() if e.neighbour in names]))
    parts.append("</body></html>")
    return "".join(parts).encode()


def _neighbour(
    mocks: MockSet, name: str, counts: dict[tuple[str, str | None], int]
) -> str:
    """Render one neighbour: its spec, scenario, mode and operations."""
    engine = mocks.engines[name]
    scenarios = ", ".join(engine.scenarios) or "none"
    mode = "stateful" if name in mocks.stateful else "stateless"
    rows = []
    for op in engine.spec.operations:
        label = op.operation_id or f"{op.method} {engine.spec.base_path}{op.path}"
        calls = counts.get((name, label), 0)
        rows.append(
            f"<tr><td>{escape(op.method)}</td><td><code>"
            f"{escape(engine.spec.base_path + op.path)}</code></td>"
            f"<td>{escape(label)}</td><td>{calls}</td></tr>"
        )
    return (
        f'<section id="neighbour-{escape(name)}"><h2>{escape(name)}</h2>'
        f"<p>{escape(engine.spec.title or '')} · <code>{escape(str(engine.spec.source_path))}"
        f"</code></p><p>Scenario: <strong class=scenario>"
        f"{escape(engine.scenario or 'none')}</strong> (available: {escape(scenarios)}) · "
        f"mode: {mode}</p>"
        "<table class=operations><tr><th>method</th><th>path</th><th>operation</th>"
        f"<th>calls</th></tr>{''.join(rows)}</table></section>"
    )


def _faults(mocks: MockSet, names: tuple[str, ...]) -> str:
    """Render the faults in force for these neighbours."""
    faults = [f for f in mocks.faults.all() if f.neighbour in names]
    if not faults:
        return "<h2>Faults</h2><p id=faults>No faults in force.</p>"
    rows = "".join(
        f"<tr class=fault><td>{escape(f.neighbour)}</td>"
        f"<td>{escape(f.operation or 'every operation')}</td>"
        f"<td>{escape(_describe(f.to_json()))}</td></tr>"
        for f in faults
    )
    return (
        "<h2>Faults</h2><table id=faults><tr><th>neighbour</th><th>operation</th>"
        f"<th>fault</th></tr>{rows}</table>"
    )


def _describe(fault: dict) -> str:
    """Say what a fault does in a few words."""
    said = []
    if fault["status"] is not None:
        said.append(f"status {fault['status']}")
    if fault["delay"]:
        said.append(f"delay {fault['delay']} s (seed {fault['seed']})")
    if fault["reset"]:
        said.append("connection reset")
    if fault["timeout"]:
        said.append("timeout")
    return ", ".join(said)


def _journal(entries: list[Entry]) -> str:
    """Render the latest journal entries, newest first."""
    if not entries:
        return "<h2>Journal</h2><p id=journal>No requests yet.</p>"
    rows = []
    for entry in reversed(entries[-JOURNAL_ROWS:]):
        target = entry.path + (f"?{entry.query}" if entry.query else "")
        css = " class=miss" if entry.operation_id is None else ""
        rows.append(
            f"<tr{css}><td>{time.strftime('%H:%M:%S', time.localtime(entry.at))}</td>"
            f"<td>{escape(entry.neighbour)}</td><td>{escape(entry.method)}</td>"
            f"<td><code>{escape(target)}</code></td>"
            f"<td>{escape(entry.operation_id or 'no match')}</td><td>{entry.status}</td>"
            f"<td class=dim>{escape(entry.source)}</td></tr>"
        )
    return (
        f"<h2>Journal</h2><p class=dim>{len(entries)} request(s), newest first.</p>"
        "<table id=journal><tr><th>time</th><th>neighbour</th><th>method</th><th>path</th>"
        f"<th>operation</th><th>status</th><th>answered by</th></tr>{''.join(rows)}</table>"
    )
