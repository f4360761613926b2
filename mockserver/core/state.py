"""Stateful mode: collections inferred from the spec, so POST creates and GET reads back.

No code and no config: a path ``/pets`` with ``POST`` (create) or ``GET`` (list) and an item
path ``/pets/{petId}`` (``GET`` read, ``PUT``/``PATCH`` update, ``DELETE`` remove) form a
collection. Nested collections (``/classes/{class_id}/pupils``) keep one set of items per
parent. State is kept per neighbour and per scenario, and cleared per test by the fixture
(``DELETE /__satchel/state`` on the server). Every stateful answer is validated against the
spec; one that would not validate is not sent: the stateless answer is, and its
``Satchel-Mock-Source`` says why.
"""

from __future__ import annotations

import itertools
import json
import threading
import uuid
from dataclasses import dataclass, replace
from typing import Any

from satchel.openapi import Miss, Operation, Spec
from satchel.problems import Problem

from mockserver.core.answers import SOURCE_HEADER
from mockserver.core.messages import ANY_ORIGIN, MockRequest, MockResponse
from mockserver.core.misses import problem_answer

__all__ = ["Role", "StateStore", "infer_roles"]


@dataclass(frozen=True)
class Role:
    """What an operation does to its collection: list, create, read, replace, update, delete."""

    action: str
    collection: str  # the collection's path template, e.g. /pets
    id_param: str | None = None  # the item path's parameter, e.g. petId


_ITEM_ACTIONS = {"GET": "read", "PUT": "replace", "PATCH": "update", "DELETE": "delete"}


def infer_roles(spec: Spec) -> dict[Operation, Role]:
    """Return the role of every operation that belongs to a collection."""
    by_path: dict[str, dict[str, Operation]] = {}
    for op in spec.operations:
        by_path.setdefault(op.path, {})[op.method] = op
    roles: dict[Operation, Role] = {}
    for path, methods in by_path.items():
        parent, _, last = path.rpartition("/")
        if last.startswith("{") and last.endswith("}") and parent in by_path:
            for method, op in methods.items():
                if method in _ITEM_ACTIONS:
                    roles[op] = Role(_ITEM_ACTIONS[method], parent, last[1:-1])
        if "POST" in methods:
            roles[methods["POST"]] = Role("create", path)
            if "GET" in methods:
                roles[methods["GET"]] = Role("list", path)
    return roles


class StateStore:
    """The items of every collection, by (neighbour, scenario, collection, parent params)."""

    def __init__(self) -> None:
        self._items: dict[tuple, dict[str, Any]] = {}
        self._roles: dict[int, dict[Operation, Role]] = {}
        self._ids: dict[tuple, itertools.count] = (
            {}
        )  # per collection, so ids restart at 1
        self._lock = threading.Lock()

    def clear(self, neighbour: str | None = None) -> None:
        """Forget every item, or one neighbour's."""
        with self._lock:
            for key in [k for k in self._items if neighbour in (None, k[0])]:
                del self._items[key]
                self._ids.pop(key, None)

    def handle(
        self,
        name: str,
        engine: Any,
        request: MockRequest,
        response: MockResponse,
    ) -> MockResponse:
        """Return the stateful answer for a request the engine answered with ``response``."""
        if not 200 <= response.status < 300:  # invalid request, a scenario, a miss
            return response
        found = engine.spec.match(request.method, request.path)
        if isinstance(found, Miss):
            return response
        roles = self._roles.setdefault(id(engine.spec), infer_roles(engine.spec))
        role = roles.get(found.operation)
        if role is None:
            return response
        params = dict(found.path_params)
        item_id = params.pop(role.id_param, None) if role.id_param else None
        key = (name, engine.scenario, role.collection, tuple(sorted(params.items())))
        with self._lock:
            items = self._items.setdefault(key, {})
            ids = self._ids.setdefault(key, itertools.count(1))
            return _act(
                engine, found.operation, role, items, ids, item_id, request, response
            )


def _act(
    engine: Any,
    op: Operation,
    role: Role,
    items: dict[str, Any],
    ids: itertools.count,
    item_id: str | None,
    request: MockRequest,
    response: MockResponse,
) -> MockResponse:
    """Carry out one action on ``items`` and answer it."""
    default = _json(response.body)
    if role.action == "list":
        listed = list(items.values())
        if isinstance(default, dict):
            field = next((k for k, v in default.items() if isinstance(v, list)), None)
            if field is None:
                return response
            return _answer(op, response, {**default, field: listed}, "listed")
        return _answer(op, response, listed, "listed")
    body = _json(request.body)
    if role.action == "create":
        if not isinstance(body, dict) or not isinstance(default, dict):
            return response
        item = {**default, **body}
        id_field = "id" if "id" in item else None
        new_id = _new_id(item.get(id_field), next(ids)) if id_field else None
        if id_field:
            item[id_field] = new_id
        sent = _answer(op, response, item, "created")
        if sent.header(SOURCE_HEADER).startswith("stateful: created"):
            items[str(new_id if id_field else len(items) + 1)] = item
        return sent
    if item_id not in items:
        return _not_found(engine, op, role, item_id, items)
    if role.action == "read":
        return _answer(op, response, items[item_id], "read")
    if role.action == "delete":
        del items[item_id]
        return replace(response, headers=_source(response.headers, "stateful: deleted"))
    if not isinstance(body, dict):
        return response
    updated = {**items[item_id], **body} if role.action == "update" else dict(body)
    for field in ("id", role.id_param):
        if field in items[item_id]:
            updated[field] = items[item_id][field]
    sent = _answer(op, response, updated, "updated")
    if sent.header(SOURCE_HEADER).startswith("stateful: updated"):
        items[item_id] = updated
    return sent


def _json(body: bytes) -> Any:
    """Return a JSON body's value, ``None`` when there is none or it is not JSON."""
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def _new_id(example: Any, counter: int) -> Any:
    """Return a new id of the same kind as the example id (integer, UUID or text)."""
    if isinstance(example, int) and not isinstance(example, bool):
        return counter
    if isinstance(example, str):
        try:
            uuid.UUID(example)
        except ValueError:
            return str(counter)
        return str(uuid.UUID(int=counter))
    return counter


def _source(headers: tuple, text: str) -> tuple:
    """Return ``headers`` with the source header set to ``text``."""
    return tuple((k, text if k == SOURCE_HEADER else v) for k, v in headers)


def _answer(
    op: Operation, response: MockResponse, value: Any, did: str
) -> MockResponse:
    """Answer ``value`` if it validates as the response's body; else the stateless answer."""
    media = response.header("content-type")
    if media is None or "json" not in media:
        return response
    body = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    issues = op.validate_response(response.status, media, body)
    if issues:
        why = "; ".join(f"{i.field or '/'}: {i.message}" for i in issues)[:200]
        note = f"{response.header(SOURCE_HEADER)} (stateful answer invalid: {why})"
        return replace(response, headers=_source(response.headers, note))
    return replace(
        response, body=body, headers=_source(response.headers, f"stateful: {did}")
    )


def _not_found(
    engine: Any, op: Operation, role: Role, item_id: str | None, items: dict
) -> MockResponse:
    """Return the spec's 404 for a missing item, else a 404 problem naming the known ids."""
    declared = engine.declared(op, 404)
    note = f"stateful: no item {item_id} in {role.collection}"
    if declared is not None:
        return replace(declared, headers=_source(declared.headers, note))
    known = ", ".join(items) or "none yet (POST one first)"
    problem = Problem(
        status=404,
        type="mock-stateful-not-found",
        detail=f"{role.collection} has no item {item_id}; items: {known}.",
    )
    answer = problem_answer(problem, note)
    return MockResponse(
        404,
        answer.headers + (ANY_ORIGIN,),
        answer.body,
        route=None,
        operation_id=op.operation_id,
    )
