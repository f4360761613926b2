"""Each vendored Connexion example, and the app-construction lines changed to run it on satchel.

The harness copies an example, applies its edits (each old line must occur exactly once) and
imports the copy in isolation beside an untouched copy served by Connexion 3.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

EXAMPLES = Path(__file__).parent / "examples"
SUPPORT = Path(__file__).parent / "support"
USE_SATCHEL = "from satchel.api import connexion_compat as connexion"


@dataclass(frozen=True)
class Port:
    """Where an example's app is, and the lines its port changes."""

    module: str
    edits: tuple[tuple[str, str], ...] = (("import connexion", USE_SATCHEL),)
    factory: bool = False
    #: The example's ASGI middleware reads ``raw_path``, which servers set and Starlette's
    #: test client does not: the Connexion side gets it as uvicorn would give it.
    raw_path: bool = False


PORTS = {
    "helloworld": Port("hello"),
    "restyresolver": Port(
        "resty",
        (
            ("import connexion", USE_SATCHEL),
            (
                "from connexion.resolver import RestyResolver",
                "from satchel.api.connexion_compat import RestyResolver",
            ),
            # Its swagger.yaml names handlers that cannot take the arguments (Connexion answers
            # 500 at request time; satchel refuses to start unless told which status to give).
            ('    "swagger.yaml",', '    "swagger.yaml", resolver_error=501,'),
        ),
    ),
    "methodresolver": Port(
        "app",
        (
            ("import connexion", USE_SATCHEL),
            (
                "from connexion.resolver import MethodViewResolver",
                "from satchel.api.connexion_compat import MethodViewResolver",
            ),
        ),
    ),
    "apikey": Port("app"),
    "basicauth": Port("app"),
    "jwt": Port("app"),
    "sqlalchemy": Port("app"),
    "splitspecs": Port("app"),
    "enforcedefaults": Port(
        "app",
        (
            ("import connexion", USE_SATCHEL),
            (
                "from connexion.validators import DefaultsJSONRequestBodyValidator",
                "from satchel.api.connexion_compat import DefaultsJSONRequestBodyValidator",
            ),
            (
                'app = connexion.AsyncApp(__name__, specification_dir="spec")',
                'app = connexion.FlaskApp(__name__, specification_dir="spec")',
            ),
        ),
    ),
    # Satchel is WSGI: the example's ASGI path middleware becomes werkzeug's ProxyFix, which
    # reads the proxy's X-Forwarded-Prefix.
    "reverseproxy": Port(
        "app",
        (
            ("import connexion", USE_SATCHEL),
            (
                "from starlette.types import Receive, Scope, Send",
                "from werkzeug.middleware.proxy_fix import ProxyFix",
            ),
            (
                "    app.middleware = ReverseProxied("
                'app.middleware, root_path="/reverse_proxied/")',
                "    app.wsgi_app = ProxyFix(app.wsgi_app, x_prefix=1)",
            ),
            (
                "    async def __call__(self, scope: Scope, receive: Receive, send: Send):",
                "    async def __call__(self, scope, receive, send):",
            ),
        ),
        factory=True,
        raw_path=True,
    ),
}


def port_source(text: str, edits: tuple[tuple[str, str], ...]) -> str:
    """Apply ``edits`` (whole lines) to ``text``; each old line must be there exactly once."""
    lines = text.split("\n")
    for old, new in edits:
        found = [i for i, line in enumerate(lines) if line == old]
        if len(found) != 1:
            raise AssertionError(f"{old!r} occurs {len(found)} times, expected once")
        lines[found[0]] = new
    return "\n".join(lines)


def copy_example(name: str, target: Path, *, ported: bool) -> Path:
    """Copy example ``name`` to ``target``, applying its port's edits if ``ported``."""
    shutil.copytree(EXAMPLES / name, target)
    if ported:
        main = target / f"{PORTS[name].module}.py"
        main.write_text(port_source(main.read_text(), PORTS[name].edits))
    return target


@contextmanager
def isolated_imports(directory: Path) -> Iterator[None]:
    """Import from ``directory`` (and the jose stand-in) with its top-level names forgotten after.

    Every example names its modules ``app``, ``api``, ``orm``...: each copy must get its own.
    """
    before = set(sys.modules)
    sys.path[:0] = [str(directory), str(SUPPORT)]
    importlib.invalidate_caches()
    try:
        yield
    finally:
        del sys.path[:2]
        for name in set(sys.modules) - before:
            module = sys.modules[name]
            origin = getattr(module, "__file__", None) or ""
            if origin.startswith((str(directory), str(SUPPORT))):
                del sys.modules[name]


def load_client(name: str, directory: Path, stack: ExitStack) -> Any:
    """Import the example's app from ``directory``; return a started test client.

    Connexion resolves handlers when its app starts, so the client is started (and a
    Connexion app's lifespan entered) while the example's modules are importable.
    """
    port = PORTS[name]
    with isolated_imports(directory):
        module = importlib.import_module(port.module)
        app = module.create_app() if port.factory else module.app
        if not hasattr(app, "middleware"):  # satchel: a Flask test client
            return app.test_client()
        if port.raw_path:
            app.middleware = _RawPath(app.middleware)
        client = app.test_client()
        stack.enter_context(client)  # run the Connexion app's start-up while importable
        return client


class _RawPath:
    """ASGI shim setting ``raw_path`` from ``path``, as uvicorn does (the test client does not)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        scope.setdefault("raw_path", scope.get("path", "").encode())
        await self.app(scope, receive, send)
