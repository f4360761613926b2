"""pytest plugin: the ``mock_neighbours`` fixture and the ``satchel_mock`` marker.

Loaded by every pytest run (entry point ``satchel_mock``), so it imports nothing heavy at
module level and does nothing unless a test asks for ``mock_neighbours``::

    @pytest.mark.satchel_mock(scenario={"students": "not-found"}, stateful=["pets"])
    def test_unknown_class(client, mock_neighbours):
        assert client.get("/registers/9").status_code == 404
        mock_neighbours.assert_called("list_class_pupils", times=1)

The neighbours come from ``mocks.yaml`` in the rootdir (or ``--satchel-mocks PATH``, or the
ini option ``satchel_mocks``). Engines load once per session; the journal, faults and
scenarios start clean for every test. A request no mocked operation matches fails the test
with the explanation the server gives (nearest operations and why).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # pragma: no cover - typing only; the import is deferred on purpose
    from mockserver.harness.inprocess import InProcessMocks

__all__ = ["mock_neighbours"]

_CACHE = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--satchel-mocks`` and the ``satchel_mocks`` ini option."""
    parser.addoption(
        "--satchel-mocks",
        default=None,
        metavar="PATH",
        help="mocks.yaml for the mock_neighbours fixture (default: <rootdir>/mocks.yaml).",
    )
    parser.addini(
        "satchel_mocks", "mocks.yaml for the mock_neighbours fixture", default=""
    )


def pytest_configure(config: pytest.Config) -> None:
    """Declare the ``satchel_mock`` marker."""
    config.addinivalue_line(
        "markers",
        "satchel_mock(scenario=None, stateful=(), passthru=(), config=None): mock_neighbours "
        'set-up: scenario={"students": "not-found"}, stateful=["students"], '
        'passthru=["http://127.0.0.1:5000"] (reach the network), config= a mocks.yaml.',
    )


def _config_path(request: pytest.FixtureRequest, given: object) -> Path:
    """Return the mocks.yaml to use: marker/param, option, ini, else the rootdir's."""
    config = request.config
    chosen = (
        given
        or config.getoption("--satchel-mocks")
        or config.getini("satchel_mocks")
        or "mocks.yaml"
    )
    path = Path(str(chosen))
    return path if path.is_absolute() else Path(config.rootpath, path)


@pytest.fixture
def mock_neighbours(request: pytest.FixtureRequest) -> Any:
    """Answer the service's calls to its neighbours in process, from mocks.yaml."""
    from mockserver.core.errors import MockError
    from mockserver.harness.inprocess import InProcessMocks

    marker = request.node.get_closest_marker("satchel_mock")
    options: dict[str, Any] = dict(marker.kwargs) if marker else {}
    options.update(getattr(request, "param", None) or {})
    unknown = sorted(set(options) - {"scenario", "config", "stateful", "passthru"})
    if unknown:
        pytest.fail(
            "satchel_mock takes scenario=, stateful=, passthru= and config=, "
            f"not {', '.join(unknown)}.",
            pytrace=False,
        )
    path = _config_path(request, options.get("config"))
    cache = request.config.stash.setdefault(_CACHE, {})
    failure = (
        None  # failed outside the except block: no chained traceback in the report
    )
    if path not in cache:
        try:
            cache[path] = InProcessMocks.from_config(path)
        except (MockError, OSError) as exc:
            failure = f"mock_neighbours cannot load {path}: {exc}"
    if failure:
        pytest.fail(failure, pytrace=False)
    mocks: InProcessMocks = cache[path]
    _reset(mocks)
    try:
        for neighbour, scenario in (options.get("scenario") or {}).items():
            mocks.scenario(neighbour, scenario)
        for neighbour in options.get("stateful") or ():
            mocks.stateful(neighbour)
        mocks.passthru(*(options.get("passthru") or ()))
    except (KeyError, ValueError) as exc:
        failure = f"satchel_mock: {exc.args[0]}"
    if failure:
        pytest.fail(failure, pytrace=False)
    with mocks:
        yield mocks
    if mocks.misses:
        explained = "\n  ".join(mocks.misses)
        pytest.fail(
            f"the service sent request(s) no mocked neighbour operation matches:\n  {explained}",
            pytrace=False,
        )


def _reset(mocks: InProcessMocks) -> None:
    """Start a test with no journal, faults, misses or scenarios; recordings rewound."""
    mocks.mocks.journal.clear()
    mocks.mocks.faults.clear()
    mocks.misses.clear()
    mocks.mocks.state.clear()
    mocks.mocks.stateful.clear()
    mocks.passthru()
    for engine in mocks.mocks.engines.values():
        engine.use_scenario(None)
        engine.replay.rewind()
