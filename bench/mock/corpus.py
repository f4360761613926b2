"""Serve a corpus of specs with satchel-mock and Prism; count answers that conform to the spec.

    .venv/bin/python bench/mock/corpus.py /work/corpus/mock-load [--only satchel,prism]

The corpus lives outside this repository, so nothing here is tuned to it:

- ``CORPUS/real/*.{json,yaml}``: real-world API descriptions. Each is served alone; every
  operation gets one valid request (required parameters, credentials its security names, a
  body from the spec's example or generated from the schema) and, when it takes a JSON
  body, one invalid request (a number instead of the body). A valid request passes with a
  2xx/3xx answer that conforms to the spec; an invalid one with a 4xx that conforms to the
  response the spec declares for it (exact, range or default), or any 4xx when it declares
  none.
- ``CORPUS/prism-harness/*.txt``: Prism's end-to-end cases (its test-harness/specs). Each case
  is one spec, one curl command and the expected answer; it passes with the expected status
  and, when the spec declares that status, a conforming answer.

Verdicts per request: pass, fail (answered, but not conforming or not the expected status),
5xx, crash (the server died or refused to start) and hang (no answer within the timeout).
Answers are judged with satchel's own spec core (``Operation.validate_response``); both
servers get the same requests. Results go to stdout as a table and to --out as JSON.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from urllib.parse import quote, urlencode, urlsplit

import requests

from satchel.openapi import MISSING, SpecError, load_spec
from mockserver.core.generate import GenerationError, generate

ROOT = Path(__file__).resolve().parents[2]
SATCHEL = [str(ROOT / ".venv/bin/satchel-mock"), "serve", "--quiet", "--no-reload"]
PRISM = os.environ.get("PRISM", "/opt/peers/node/node_modules/.bin/prism")
START_TIMEOUT = 120.0
REQUEST_TIMEOUT = 10.0
VERDICTS = ("pass", "fail", "5xx", "crash", "hang")
#: OpenAPI 3: header parameters with these names "SHALL be ignored".
_IGNORED_HEADERS = ("accept", "content-type", "authorization")


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One mock server process serving one spec; stopped by its own pid."""

    def __init__(self, kind: str, spec: Path, extra: list[str] | None = None) -> None:
        self.kind = kind
        self.port = free_port()
        if kind == "satchel":
            command = [*SATCHEL, "--port", str(self.port), str(spec)]
            # Both servers in the same mode: Prism's --errors is satchel-mock's too.
            command += [flag for flag in extra or [] if flag == "--errors"]
        else:
            command = [PRISM, "mock", *(extra or []), "-p", str(self.port), str(spec)]
            command += ["-h", "127.0.0.1"]
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def wait(self) -> str | None:
        """Return None once it answers HTTP, else "crash" (it exited) or "hang"."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return "crash"
            try:
                requests.get(self.url + "/__corpus_probe", timeout=2)
                return None
            except requests.RequestException:
                time.sleep(0.2)
        return "hang"

    def alive(self) -> bool:
        """Tell whether the process still runs."""
        return self.process.poll() is None

    def output(self) -> str:
        """Return the last lines the server printed."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-600:]

    def stop(self) -> None:
        """Stop the process group started for this server."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


# --- requests built from the spec -----------------------------------------------------------


def _value(spec: Any, schema: Any, uri: str, seed: str) -> Any:
    """Generate a request value for ``schema`` (requests, so readOnly fields are left out)."""

    def resolve(ref: str, base: str) -> tuple[Any, str]:
        return spec.deref({"$ref": ref}, base)

    try:
        return generate(
            schema or {}, seed=seed, resolve=resolve, base=uri, for_response=False
        )
    except (GenerationError, SpecError, RecursionError):
        return "x"


def _text(value: Any) -> str:
    """Serialise a simple-style parameter value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k},{_text(v)}" for k, v in value.items())
    return str(value)


def _credentials(spec: Any, operation: Any) -> tuple[dict, dict, dict]:
    """Return headers, query and cookies carrying the first security requirement's credentials."""
    headers: dict[str, str] = {}
    query: dict[str, str] = {}
    cookies: dict[str, str] = {}
    requirements = operation.security or []
    if not requirements or any(not r for r in requirements):
        return headers, query, cookies
    document = spec.document
    schemes = (
        (document.get("components") or {}).get("securitySchemes")
        or document.get("securityDefinitions")
        or {}
    )
    for name in requirements[0]:
        scheme, _ = spec.deref(
            schemes.get(name) or {}, spec.compiler.docs.root_uri + "#"
        )
        kind = scheme.get("type")
        http = str(scheme.get("scheme") or "").lower()
        if kind == "apiKey":
            where = {"header": headers, "query": query, "cookie": cookies}.get(
                scheme.get("in"), headers
            )
            where[scheme.get("name", "key")] = "corpus-key"
        elif kind == "basic" or http == "basic":
            headers["Authorization"] = "Basic " + base64.b64encode(b"u:p").decode()
        elif http == "digest":
            headers["Authorization"] = (
                'Digest username="u", realm="r", nonce="n", uri="/"'
            )
        elif http and http != "bearer":
            headers["Authorization"] = f"{scheme.get('scheme')} corpus-token"
        else:
            headers["Authorization"] = "Bearer corpus-token"
    return headers, query, cookies


def build_requests(spec: Any, operation: Any) -> list[tuple[str, dict]]:
    """Return (kind, request) pairs: a valid request, and an invalid one when it has a body."""
    seed = f"{operation.method} {operation.path}"
    headers, query, cookies = _credentials(spec, operation)
    path = operation.path
    for param in operation.parameters:
        if not (param.required or param.location == "path"):
            continue
        if param.location == "header" and param.name.lower() in _IGNORED_HEADERS:
            continue
        value = _value(spec, param.schema, param.schema_uri, seed + param.name)
        if param.location == "path":
            path = path.replace("{" + param.name + "}", quote(_text(value), safe=",;="))
        elif param.location == "query":
            query[param.name] = (
                [_text(v) for v in value]
                if isinstance(value, list) and param.explode
                else _text(value)
            )
        elif param.location == "header":
            headers[param.name] = _text(value)
        elif param.location == "cookie":
            cookies[param.name] = _text(value)
    path = re.sub(
        r"{[^{}/]+}", "x", path
    )  # template parameters the spec never declared
    body, content_type = b"", None
    json_body = False
    if operation.request_body is not None and operation.request_body.content:
        content = operation.request_body.content
        content_type = next(
            (mt for mt in content if "json" in mt.lower()), next(iter(content))
        )
        media = content[content_type]
        if media.example is not MISSING:
            value = media.example
        elif media.examples:
            value = next(iter(media.examples.values()))
        else:
            value = _value(spec, media.schema, media.schema_uri, seed + ":body")
        json_body = "json" in content_type.lower()
        if json_body:
            body = json.dumps(value).encode()
        elif "form-urlencoded" in content_type and isinstance(value, dict):
            body = urlencode({k: _text(v) for k, v in value.items()}).encode()
        elif "multipart/form-data" in content_type and isinstance(value, dict):
            body = b"".join(
                f'--corpus\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'
                f"{_text(v)}\r\n".encode()
                for k, v in value.items()
            )
            body += b"--corpus--\r\n"
            content_type = "multipart/form-data; boundary=corpus"
        elif isinstance(value, str):
            body = value.encode()
        else:
            body = json.dumps(value).encode()
    if content_type is not None:
        headers["Content-Type"] = content_type
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    valid = {
        "method": operation.method,
        "path": path,
        "params": query,
        "headers": headers,
        "data": body,
    }
    built = [("valid", valid)]
    schema = (
        (operation.request_body.content[content_type].schema or {}) if json_body else {}
    )
    if json_body and schema.get("type") in ("object", "array", "string"):
        built.append(("invalid", dict(valid, data=b"42")))
    return built


# --- judging answers -------------------------------------------------------------------------


def _body(answer: requests.Response) -> Any:
    """Return the answer's body as the spec core checks it: bytes for JSON, else text."""
    if not answer.content:
        return None
    content_type = answer.headers.get("content-type", "")
    if "json" in content_type.lower():
        return answer.content
    try:
        return answer.content.decode("utf-8")
    except UnicodeDecodeError:
        return answer.content


def _is_xml(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return media.endswith("/xml") or media.endswith("+xml")


def _xml_issues(operation: Any, status: int, answer: requests.Response) -> str:
    """Judge an XML answer: well-formed, in a media type the response declares.

    The spec core validates JSON-shaped values; an XML document would be judged as one string
    against an object schema. So XML is held to what both servers can be held to alike.
    """
    try:
        ElementTree.fromstring(answer.content)
    except ElementTree.ParseError as error:
        return f"{status}: XML answer is not well-formed: {error}"
    response = operation.responses.get(str(status)) or operation.responses.get(
        "default"
    )
    media = answer.headers.get("content-type", "").split(";")[0].strip().lower()
    declared = getattr(response, "content", None) or {}
    if declared and media not in {key.lower() for key in declared}:
        return f"{status}: XML answer in {media}, not declared ({', '.join(declared)})"
    return ""


def judge(operation: Any, kind: str, answer: requests.Response) -> tuple[str, str]:
    """Return (verdict, reason) for one answer to a valid or invalid request."""
    status = answer.status_code
    if status >= 500:
        return "5xx", f"{status} {answer.text[:120]}"
    content_type = answer.headers.get("content-type")
    body = _body(answer)
    if kind == "valid" and status >= 400 and _succeeds(operation):
        return "fail", f"refused a valid request: {status} {answer.text[:160]}"
    if kind == "invalid" and status < 400:
        return "fail", f"accepted an invalid body: {status}"
    declared = _declares(operation, status)
    if kind == "invalid" and not declared:
        return "pass", ""
    if _is_xml(content_type) and answer.content:
        problem = _xml_issues(operation, status, answer)
        return ("fail", problem) if problem else ("pass", "")
    issues = operation.validate_response(status, content_type, body)
    if issues:
        return "fail", f"{status}: " + "; ".join(
            f"{i.location} {i.field}: {i.message}" for i in issues[:3]
        )
    return "pass", ""


def _succeeds(operation: Any) -> bool:
    """Tell whether the operation declares a success (else its declared 4xx is its answer)."""
    return any(code[:1] in "23" or code == "default" for code in operation.responses)


def _declares(operation: Any, status: int) -> bool:
    """Tell whether the operation declares a response covering ``status``."""
    codes = operation.responses
    return str(status) in codes or f"{str(status)[0]}XX" in codes or "default" in codes


def send(server: Server, prefix: str, request: dict) -> requests.Response:
    """Send one request under ``prefix`` (the base path the server serves at)."""
    return requests.request(
        request["method"],
        server.url + prefix + request["path"],
        params=request["params"],
        headers=request["headers"],
        data=request["data"],
        timeout=REQUEST_TIMEOUT,
        allow_redirects=False,
    )


def run_real(kind: str, spec_path: Path) -> dict[str, Any]:
    """Serve one real-world spec and send every operation its requests."""
    result: dict[str, Any] = {"spec": spec_path.name, "counts": Counter(), "notes": []}
    try:
        spec = load_spec(spec_path, lenient=True)
    except SpecError as exc:
        result["notes"].append(f"harness cannot read the spec: {exc}")
        return result
    server = Server(kind, spec_path)
    try:
        started = server.wait()
        if started is not None:
            result["counts"][started] += 1
            result["notes"].append(f"did not start: {server.output()[-300:]}")
            result["started"] = False
            return result
        result["started"] = True
        prefix = _prefix(server, spec)
        for operation in spec.operations:
            for request_kind, request in build_requests(spec, operation):
                if not server.alive():
                    result["counts"]["crash"] += 1
                    continue
                try:
                    answer = send(server, prefix, request)
                except requests.Timeout:
                    verdict, reason = "hang", "no answer"
                except requests.RequestException as exc:
                    verdict, reason = "crash", str(exc)[:120]
                else:
                    verdict, reason = judge(operation, request_kind, answer)
                result["counts"][verdict] += 1
                if verdict != "pass" and len(result["notes"]) < 400:
                    result["notes"].append(
                        f"{request_kind} {operation.method} {operation.path}: "
                        f"{verdict}: {reason}"
                    )
    finally:
        server.stop()
    return result


def _prefix(server: Server, spec: Any) -> str:
    """Return the base path the server serves the spec at ("" or the spec's base path).

    Prism ignores the servers' path; satchel-mock serves on it. Probe with the first
    operation's valid request rather than assume either.
    """
    if not spec.base_path or not spec.operations:
        return ""
    probe = build_requests(spec, spec.operations[0])[0][1]
    for prefix in (spec.base_path, ""):
        try:
            if send(server, prefix, probe).status_code != 404:
                return prefix
        except requests.RequestException:
            break
    return spec.base_path if server.kind == "satchel" else ""


# --- Prism's test-harness cases ---------------------------------------------------------------

_SECTION = re.compile(r"^====([\w-]+)====\s*$", re.M)


def parse_case(text: str) -> dict[str, str]:
    """Split a harness file into its ====name==== sections."""
    parts = _SECTION.split(text)
    return {parts[i]: parts[i + 1].strip("\n") for i in range(1, len(parts) - 1, 2)}


def curl_request(command: str) -> dict[str, Any]:
    """Read method, URL, headers and body from the case's curl command line."""
    words = shlex.split(command.replace("\\\n", " "))
    method, url, headers, data = None, None, {}, None
    form: list[str] = []
    index = 1
    while index < len(words):
        word = words[index]
        if word in ("-X", "--request"):
            method, index = words[index + 1], index + 1
        elif word in ("-H", "--header"):
            name, _, value = words[index + 1].partition(":")
            headers[name.strip()] = value.strip()
            index += 1
        elif word in ("-I", "--head"):
            method = "HEAD"
        elif word in ("-b", "--cookie"):
            headers["Cookie"], index = words[index + 1], index + 1
        elif word in ("-u", "--user"):
            token = base64.b64encode(words[index + 1].encode()).decode()
            headers["Authorization"], index = f"Basic {token}", index + 1
        elif word in ("-F", "--form"):
            form.append(words[index + 1])
            index += 1
        elif word == "--data-urlencode":
            name, _, value = words[index + 1].partition("=")
            encoded = urlencode({name: value}) if name else quote(value)
            data = encoded if data is None else f"{data}&{encoded}"
            index += 1
        elif word in ("-d", "--data", "--data-raw", "--data-binary"):
            data, index = words[index + 1], index + 1
        elif not word.startswith("-") and url is None:
            url = word
        index += 1
    if form:  # -F name=value: multipart/form-data, as curl sends it
        data = (
            "".join(
                f'--corpus\r\nContent-Disposition: form-data; name="{f.partition("=")[0]}"'
                f'\r\n\r\n{f.partition("=")[2]}\r\n'
                for f in form
            )
            + "--corpus--\r\n"
        )
        # curl adds its boundary to a Content-Type given with -H, or sends its own.
        headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        headers["Content-Type"] = "multipart/form-data; boundary=corpus"
    elif data is not None and not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = "application/x-www-form-urlencoded"  # curl's default
    return {
        "method": method or ("POST" if data is not None else "GET"),
        "url": url or "",
        "headers": headers,
        "data": data.encode() if data is not None else b"",
    }


def run_case(kind: str, path: Path, workdir: Path) -> tuple[str, str]:
    """Run one Prism harness case against ``kind``; return (verdict, reason)."""
    case = parse_case(path.read_text(encoding="utf-8"))
    spec_text = case.get("spec", "")
    suffix = ".json" if spec_text.lstrip().startswith("{") else ".yaml"
    spec_path = workdir / f"{path.stem}{suffix}"
    spec_path.write_text(spec_text, encoding="utf-8")
    expect = case.get("expect", "") + case.get("expect-loose", "")
    expected = re.search(r"HTTP/[\d.]+ (\d{3})", expect)
    wanted = int(expected.group(1)) if expected else None
    server_args = shlex.split(case.get("server", "mock ${document}"))
    flags = [w for w in server_args[1:] if w not in ("${document}",)]
    flags = [
        f for i, f in enumerate(flags) if f != "-p" and (i == 0 or flags[i - 1] != "-p")
    ]
    server = Server(kind, spec_path, flags)
    try:
        started = server.wait()
        if started is not None:
            return started, f"did not start: {server.output()[-200:]}"
        request = curl_request(case.get("command", ""))
        parts = urlsplit(request["url"])
        url = server.url + parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            answer = requests.request(
                request["method"],
                url,
                headers=request["headers"],
                data=request["data"],
                timeout=REQUEST_TIMEOUT,
                allow_redirects=False,
            )
        except requests.Timeout:
            return "hang", "no answer"
        except requests.RequestException as exc:
            return "crash", str(exc)[:120]
        return judge_case(spec_path, request["method"], parts.path, wanted, answer)
    finally:
        server.stop()


def judge_case(
    spec_path: Path,
    method: str,
    path: str,
    wanted: int | None,
    answer: requests.Response,
) -> tuple[str, str]:
    """Pass: the expected status, and a conforming answer when the spec declares it."""
    status = answer.status_code
    if status >= 500 and (wanted is None or wanted < 500):
        return "5xx", f"{status} {answer.text[:120]}"
    if wanted is not None and status != wanted:
        return "fail", f"status {status}, expected {wanted}: {answer.text[:100]}"
    try:
        spec = load_spec(spec_path, lenient=True)
    except SpecError:
        return "pass", ""
    found = (
        spec.match(method, path)
        if spec.base_path == ""
        else spec.match(method, spec.base_path + path)
    )
    operation = getattr(found, "operation", None)
    if operation is None or not _declares(operation, status):
        return "pass", ""
    if _is_xml(answer.headers.get("content-type")) and answer.content:
        problem = _xml_issues(operation, status, answer)
        return ("fail", problem) if problem else ("pass", "")
    issues = operation.validate_response(
        status, answer.headers.get("content-type"), _body(answer)
    )
    if issues:
        return "fail", f"{status}: {issues[0].field}: {issues[0].message}"
    return "pass", ""


# --- the report --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the corpus against each server and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--only", default="satchel,prism")
    parser.add_argument(
        "--filter", default="", help="only specs/cases whose name has this"
    )
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--suite", choices=("real", "cases", "both"), default="both")
    args = parser.parse_args(argv)
    kinds = args.only.split(",")
    report: dict[str, Any] = {}
    real = sorted((args.corpus / "real").glob("*")) if args.suite != "cases" else []
    # Left out: Postman collections (*.pc.txt), Prism's own input format, not OpenAPI; and
    # proxy mode (proxy__*), which forwards to a live upstream (httpbin.org).
    cases = sorted(
        p
        for p in (args.corpus / "prism-harness").glob("*.txt")
        if ".pc." not in p.name and not p.name.startswith("proxy__")
    )
    if args.suite == "real":
        cases = []
    for kind in kinds:
        specs = []
        for spec_path in real:
            if args.filter in spec_path.name:
                started = time.monotonic()
                outcome = run_real(kind, spec_path)
                outcome["seconds"] = round(time.monotonic() - started, 1)
                outcome["counts"] = dict(outcome["counts"])
                specs.append(outcome)
                print(
                    kind, spec_path.name, outcome["counts"], file=sys.stderr, flush=True
                )
        verdicts = {}
        with tempfile.TemporaryDirectory() as workdir:
            for case in cases:
                if args.filter in case.name:
                    verdicts[case.name] = run_case(kind, case, Path(workdir))
        report[kind] = {"real": specs, "cases": verdicts}
        print(
            kind,
            "cases",
            dict(Counter(v for v, _ in verdicts.values())),
            file=sys.stderr,
        )
    if args.out is not None:
        args.out.write_text(json.dumps(report, indent=1))
    print(table(report))
    return 0


def table(report: dict[str, Any]) -> str:
    """Render the totals: specs served, then verdicts per suite, per server."""
    lines = [
        "| server | specs served | real: "
        + " | real: ".join(VERDICTS)
        + " | cases: "
        + " | cases: ".join(VERDICTS)
        + " |",
        "|---" * (2 + 2 * len(VERDICTS)) + "|",
    ]
    for kind, found in report.items():
        real = Counter()
        for outcome in found["real"]:
            real.update(outcome["counts"])
        served = sum(1 for o in found["real"] if o.get("started"))
        cases = Counter(v for v, _ in found["cases"].values())
        lines.append(
            f"| {kind} | {served}/{len(found['real'])} | "
            + " | ".join(str(real.get(v, 0)) for v in VERDICTS)
            + " | "
            + " | ".join(str(cases.get(v, 0)) for v in VERDICTS)
            + " |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
