"""Structured JSON logs: one pipeline for structlog and stdlib, one access line per request.

``init_app`` configures structlog once for the process (JSON on stdout, stdlib records routed
through ``ProcessorFormatter`` so third-party libraries log JSON too), opens the request
scope (:func:`satchel.request_id.init_app`: request id first, context cleared last) and
writes one access line per request, echoing the request id in the response.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sys
import time
import traceback
from typing import Any, TextIO

import structlog
from flask import Flask, Response, request

from satchel import context, request_id
from satchel.log_context import merge_bound_fields
from satchel.api.markers import quiet_endpoints

__all__ = [
    "REDACTED",
    "add_request_context",
    "configure",
    "format_exception",
    "get_logger",
    "init_app",
    "redact_secrets",
]

_EXTENSION = "satchel.logs"
_HANDLER_NAME = "satchel-json"

REDACTED = "[REDACTED]"
_SECRET_KEY = re.compile(
    r"pass(word|wd|phrase)?|secret|token|authori[sz]ation|api[-_]?key|cookie|credential"
    r"|private[-_]?key|session",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=4096)
def _looks_secret(key: str) -> bool:
    """Return whether a log key names a secret (cached: keys repeat on every line)."""
    return _SECRET_KEY.search(key) is not None


def _redact(value: Any) -> Any:
    """Return ``value`` with secret-looking keys of nested mappings replaced."""
    if isinstance(value, dict):
        return {
            k: REDACTED if isinstance(k, str) and _looks_secret(k) else _redact(v)
            for k, v in value.items()
        }
    return value


# Keys every access line carries; known safe, so the hot path skips checking them.
_SAFE_KEYS = frozenset(
    ("event", "method", "route", "path", "status", "duration_ms", "request_id", "tenant",
     "actor", "service", "env", "version", "level", "timestamp", "logger")
)  # fmt: skip


def redact_secrets(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    """Replace the values of keys that look like secrets (password, token, ...) in a line."""
    for key, value in event.items():
        if key in _SAFE_KEYS:
            continue
        if _looks_secret(key):
            event[key] = REDACTED
        elif isinstance(value, dict):
            event[key] = _redact(value)
    return event


# PostgreSQL's DETAIL line quotes row data ("Key (name)=(Ada) already exists", "Failing row
# contains (...)"); the SQL itself is kept, its parameters are hidden by the engines.
_ROW_DATA = re.compile(r"^\s*DETAIL:.*$", re.MULTILINE)


def format_exception(
    _logger: Any, _method: str, event: dict[str, Any]
) -> dict[str, Any]:
    """Render ``exc_info`` as the full stack trace in ``exception``, without row data.

    structlog's own ``format_exc_info`` for both pipelines: records from the standard library
    (Flask's, SQLAlchemy's) get their trace too instead of the repr of a tuple.
    """
    exc_info = event.pop("exc_info", None)
    if not exc_info:
        return event
    if not isinstance(exc_info, tuple):
        exc_info = (
            (type(exc_info), exc_info, exc_info.__traceback__)
            if isinstance(exc_info, BaseException)
            else sys.exc_info()
        )
    if exc_info[0] is None:
        return event
    text = "".join(traceback.format_exception(*exc_info))
    event["exception"] = _ROW_DATA.sub("DETAIL: [REDACTED]", text).rstrip("\n")
    return event


_json_encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str)


def _render_json(event: dict[str, Any], **_options: Any) -> str:
    """Serialise a log line with one prebuilt encoder (json.dumps builds one per call)."""
    return _json_encoder.encode(event)


def add_request_context(
    _logger: Any, _method: str, event: dict[str, Any]
) -> dict[str, Any]:
    """Add the request id, tenant and actor of the current unit of work, when known."""
    request_id = context.request_id.get()
    if request_id is not None:
        event.setdefault("request_id", request_id)
    tenant = context.tenant_id.get()
    if tenant is not None:
        event.setdefault("tenant", tenant)
    actor = context.actor.get()
    if actor is not None:
        event.setdefault("actor", actor.id)
    return event


def _service_fields(service: str, env: str | None, version: str | None) -> Any:
    """Return a processor stamping every line with the service identity."""
    fields = {
        k: v for k, v in (("service", service), ("env", env), ("version", version)) if v
    }

    def add_service(
        _logger: Any, _method: str, event: dict[str, Any]
    ) -> dict[str, Any]:
        for key, value in fields.items():
            event.setdefault(key, value)
        return event

    return add_service


def configure(
    service: str,
    *,
    stream: TextIO | None = None,
    level: str = "INFO",
    env: str | None = None,
    version: str | None = None,
) -> structlog.typing.FilteringBoundLogger:
    """Configure structlog and stdlib logging to write JSON lines to ``stream`` (stdout)."""
    stream = sys.stdout if stream is None else stream
    numeric_level = logging.getLevelNamesMapping()[level.upper()]
    shared = [
        merge_bound_fields,
        add_request_context,
        _service_fields(service, env, version),
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_secrets,
    ]
    renderer = structlog.processors.JSONRenderer(serializer=_render_json)
    structlog.configure(
        processors=[*shared, format_exception, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.WriteLoggerFactory(file=stream),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            format_exception,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric_level)
    # Werkzeug's development server writes its own access lines; ours replace them.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # bind() materialises the lazy proxy now, so this logger keeps this configuration.
    return structlog.get_logger(service).bind()


def get_logger(app: Flask) -> Any:
    """Return the app's structured logger (the one ``init_app`` configured)."""
    return app.extensions.get(_EXTENSION) or structlog.get_logger()


def init_app(
    app: Flask,
    service: str,
    *,
    stream: TextIO | None = None,
    level: str = "INFO",
    env: str | None = None,
    version: str | None = None,
) -> None:
    """Configure logging, open the request scope and write one access line per request."""
    logger = configure(service, stream=stream, level=level, env=env, version=version)
    already_installed = _EXTENSION in app.extensions
    app.extensions[_EXTENSION] = logger
    if already_installed:  # reconfigured; the hooks are in place and must not run twice
        return
    request_id.init_app(app)
    quiet = quiet_endpoints(app)
    extensions = app.extensions
    perf_counter = time.perf_counter
    current = request._get_current_object  # one proxy lookup, not one per attribute

    def finish_request(response: Response) -> Response:
        response.headers[request_id.HEADER] = context.request_id.get() or ""
        req = current()
        if req.endpoint in quiet:
            return response
        started = req.environ.get(request_id.STARTED_KEY) or perf_counter()
        rule = req.url_rule
        extensions[_EXTENSION].info(
            "request",
            method=req.method,
            route=rule.rule if rule is not None else "<unmatched>",
            path=req.path,
            status=response.status_code,
            duration_ms=round((perf_counter() - started) * 1000, 3),
        )
        return response

    app.after_request(finish_request)
