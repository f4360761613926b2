"""Benchmark the spec core: load a generated ~5 MB spec, then match + validate per request.

Run: .venv/bin/python bench/openapi_load.py [--megabytes 5]

Prints absolute figures for this machine and ratios against baselines measured in the same run
(yaml.safe_load of the same file; a plain dict lookup per request), so results compare across
machines. The budget: the load stays well under 2 s; match + validate of a GET with one integer
path parameter costs a few microseconds.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any, Callable

import yaml

from satchel.openapi import Match, load_spec

_RESOURCE = """\
  /r{i}/items:
    get:
      operationId: list{i}
      tags: [r{i}]
      summary: List the items of resource {i}, a page at a time
      parameters:
        - {{name: limit, in: query, schema: {{type: integer, minimum: 1, maximum: 100}}}}
        - {{name: cursor, in: query, schema: {{type: string}}}}
      responses:
        '200':
          description: A page of items
          content:
            application/json:
              schema:
                type: array
                items: {{$ref: '#/components/schemas/Item{m}'}}
              example:
                - {{id: 1, name: first item of resource {i}, tags: [a, b], price: 9.5}}
                - {{id: 2, name: second item of resource {i}, tags: [c], price: 12.25}}
    post:
      operationId: create{i}
      tags: [r{i}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {{$ref: '#/components/schemas/Item{m}'}}
      responses:
        '201':
          description: Created
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Item{m}'}}
        '422': {{$ref: '#/components/responses/Invalid'}}
  /r{i}/items/{{itemId}}:
    parameters:
      - {{name: itemId, in: path, required: true, schema: {{type: integer, minimum: 1}}}}
    get:
      operationId: get{i}
      tags: [r{i}]
      responses:
        '200':
          description: One item
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Item{m}'}}
        '404': {{$ref: '#/components/responses/Invalid'}}
    delete:
      operationId: delete{i}
      tags: [r{i}]
      responses:
        '204': {{description: Deleted}}
"""

_SCHEMA = """\
    Item{m}:
      type: object
      required: [id, name]
      properties:
        id: {{type: integer, format: int64, readOnly: true}}
        name: {{type: string, minLength: 1, maxLength: 200, description: Display name}}
        tags: {{type: array, items: {{type: string}}}}
        price: {{type: number, minimum: 0}}
        parent: {{$ref: '#/components/schemas/Item{m}'}}
"""


def generate_spec(directory: Path, megabytes: float) -> Path:
    """Write a realistic spec of about ``megabytes`` MB; return its path."""
    head = "openapi: 3.0.3\ninfo: {title: Generated, version: '1'}\nservers: [{url: /api}]\n"
    chunk_size = len(_RESOURCE.format(i=0, m=0))
    count = int(megabytes * 1_000_000 / chunk_size)
    paths = "".join(_RESOURCE.format(i=i, m=i % 100) for i in range(count))
    schemas = "".join(_SCHEMA.format(m=m) for m in range(100))
    invalid = (
        "  responses:\n    Invalid:\n      description: Invalid\n      content:\n"
        "        application/json:\n          schema: {type: object}\n"
    )
    text = f"{head}paths:\n{paths}components:\n  schemas:\n{schemas}{invalid}"
    path = directory / "openapi.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def best_of(runs: int, action: Callable[[], Any]) -> float:
    """Return the fastest of ``runs`` timings of ``action``, in seconds."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


def per_call_us(action: Callable[[], Any], number: int) -> float:
    """Return the best per-call time of ``action`` over 5 repeats, in microseconds."""
    return min(timeit.repeat(action, number=number, repeat=5)) / number * 1e6


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=5.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        path = generate_spec(Path(directory), args.megabytes)
        size = path.stat().st_size / 1e6
        load = best_of(3, lambda: load_spec(path))
        baseline = best_of(
            1, lambda: yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
        )
        spec = load_spec(path)
    print(f"spec: {size:.1f} MB YAML, {len(spec.operations)} operations")
    print(
        f"load_spec: {load:.2f} s (budget 2 s); yaml CSafeLoader alone: {baseline:.2f} s;"
    )
    print(f"  ratio load_spec / CSafeLoader = {load / baseline:.2f}")

    last = len(spec.operations) // 4 - 1
    target = f"/api/r{last}/items/42"
    hit = spec.match("GET", target)
    assert isinstance(hit, Match), hit
    validate = hit.operation.request_validator()
    empty: dict[str, Any] = {}

    def serve() -> Any:
        match = spec.match("GET", target)
        return validate(match.path_params, empty, empty, empty, None, b"")

    routes = {("GET", target): hit.operation}
    number = 20_000
    match_us = per_call_us(lambda: spec.match("GET", target), number)
    serve_us = per_call_us(serve, number)
    dict_us = per_call_us(lambda: routes.get(("GET", target)), number)
    print(f"match GET {target}: {match_us:.2f} us")
    print(f"match + validate (one integer path param): {serve_us:.2f} us")
    print(f"dict lookup baseline: {dict_us:.3f} us; ratio match+validate / dict = "
          f"{serve_us / dict_us:.0f}x")  # fmt: skip

    create = spec.operation(f"create{last}").request_validator()
    body = b'{"name": "widget", "tags": ["a", "b"], "price": 3.5}'
    body_us = per_call_us(
        lambda: create(empty, empty, empty, empty, "application/json", body),
        number // 4,
    )
    print(f"validate POST JSON body ($ref'd object schema): {body_us:.2f} us "
          f"({body_us / serve_us:.1f}x the GET)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
