"""The mock engine: a pure function from a request to response bytes, for one neighbour.

Both transports (the HTTP server and the in-process ``responses`` adapter) call
:meth:`Engine.handle`, so every decision lives here: routing misses, missing credentials,
validation errors, CORS, rules, scenarios and ``Prefer``. Answers are built and validated
when the engine is created (for big specs, on first use); serving a request is a match, a
validation and a dict lookup.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs

from satchel.openapi import Miss, Operation, RequestInvalid, Spec, load_spec
from satchel.problems import Problem

from mockserver.core.accept import best_match
from mockserver.core.answers import (
    SOURCE_HEADER,
    Answer,
    AnswerBuilder,
    locate_in_spec,
    spec_resolver,
)
from mockserver.core.cors import preflight_answer, with_origin
from mockserver.core.errors import (
    AnswersInvalid,
    AnswerViolates,
    CannotSerialise,
    MockError,
)
from mockserver.core.messages import MockRequest, MockResponse, route_of, to_response
from mockserver.core.misses import (
    miss_answer,
    problem_answer,
    spec_answer_to_invalid,
    spec_answer_to_unauthorized,
    with_note,
)
from mockserver.core.overlay import Overlay, load_overlay
from mockserver.core.plans import Plan, Planner
from mockserver.core.prefer import PreferInvalid, parse_prefer, prefer_in_query
from mockserver.core.recordings import Recordings, load_recordings, recordings_path
from mockserver.core.replay import Replay, build_replay
from mockserver.core.security import Guard, unauthorized_detail
from mockserver.core.tenant_tokens import tenant_refusal
from mockserver.core.select import default_status, response_for
from mockserver.core.violations import (
    cannot_serialise_answer,
    spec_violation_answer,
    with_violations,
)

__all__ = ["EAGER_LIMIT", "Engine", "MockRequest", "MockResponse", "recordings_path"]

#: Specs with at most this many operations have every answer built and validated at load,
#: so a bad example stops the mock at once. Bigger specs (hundreds of operations) would take
#: longer than the 2 s start budget: their answers are built on first use and, right after
#: start, in the background, where failures are logged (`satchel-mock check` checks all).
EAGER_LIMIT = 400


class Engine:
    """Answer requests for one neighbour from its spec and overlay.

    ``security=False`` (``security: off`` in mocks.yaml) answers requests that lack the
    credentials the spec requires instead of refusing them with 401. ``recordings`` (from
    ``satchel-mock record``) answer the operations they cover, after the overlay's rules.
    ``errors=True`` (``--errors``, ``errors: true``) answers 500 ``mock-spec-violation``
    wherever an answer would break the spec, instead of generated data or a flagged answer.
    """

    def __init__(
        self,
        name: str,
        spec: Spec,
        overlay: Overlay | None = None,
        *,
        seed: int = 0,
        scenario: str | None = None,
        eager_limit: int = EAGER_LIMIT,
        security: bool = True,
        recordings: Recordings | None = None,
        strict: bool = True,
        errors: bool = False,
    ) -> None:
        self.name = name
        self.errors = errors
        self.spec = spec
        self.overlay = overlay or Overlay()
        self.seed = seed
        self._builder = AnswerBuilder(
            seed, spec_resolver(spec), self._locate, version=spec.version
        )
        # Recordings are checked alongside the overlay, so `check` lists both at once.
        replay_errors: list[MockError] = []
        self.replay: Replay = build_replay(
            name, spec, recordings, self._builder, replay_errors
        )
        self._plans: dict[Operation, Plan] = {}
        try:
            self._planner = Planner(
                spec,
                self.overlay,
                self._builder,
                security=security,
                lenient=not strict,
                errors=errors,
            )
            if len(spec.operations) <= eager_limit:
                self._plans = self._planner.plans(spec.operations)
        except AnswersInvalid as exc:
            raise AnswersInvalid([*exc.errors, *replay_errors]) from None
        if replay_errors:
            raise AnswersInvalid(replay_errors)
        self._unanswerable: dict[Operation, AnswersInvalid] = {
            op: AnswersInvalid(list(reasons))
            for op, reasons in self._planner.unanswerable.items()
        }
        self._scenario: str | None = None
        self._dynamic = itertools.count(1)
        self._negotiated: dict[
            tuple[Operation, int, str], MockResponse | CannotSerialise
        ] = {}
        self._refusals: dict[tuple[Operation, int], MockResponse | None] = {}
        self.use_scenario(scenario)

    @classmethod
    def from_files(
        cls,
        name: str,
        spec_path: str | Path,
        overlay_path: str | Path | None = None,
        *,
        seed: int = 0,
        scenario: str | None = None,
        security: bool = True,
        strict: bool = True,
        errors: bool = False,
    ) -> Engine:
        """Load the spec, overlay and recordings (``recordings.yaml`` beside the spec).

        ``strict=False`` serves a vendored spec despite its flaws (see :attr:`warnings`);
        ``errors=True`` answers 500 where an answer would break the spec.
        """
        overlay = load_overlay(overlay_path) if overlay_path is not None else None
        recorded = recordings_path(spec_path)
        recordings = load_recordings(recorded) if recorded.is_file() else None
        return cls(
            name,
            load_spec(spec_path, lenient=not strict),
            overlay,
            seed=seed,
            scenario=scenario,
            security=security,
            recordings=recordings,
            strict=strict,
            errors=errors,
        )

    @property
    def warnings(self) -> tuple[Exception, ...]:
        """Return what a lenient engine worked around: spec problems, then skipped answers.

        Each reads ``file:line: message``. Big specs build answers on first use, so their
        answer warnings grow as operations are called or warmed.
        """
        return (*self.spec.warnings, *self._planner.warnings)

    @property
    def scenarios(self) -> tuple[str, ...]:
        """Return the scenario names the overlay defines."""
        return tuple(self.overlay.scenarios)

    @property
    def scenario(self) -> str | None:
        """Return the active scenario, ``None`` for none."""
        return self._scenario

    def use_scenario(self, scenario: str | None) -> None:
        """Switch the active scenario; raise ``ValueError`` listing the names if unknown."""
        if scenario is not None and scenario not in self.overlay.scenarios:
            known = ", ".join(self.scenarios) or "none (add scenarios to the overlay)"
            raise ValueError(
                f"{self.name} has no scenario '{scenario}'; known: {known}."
            )
        self._scenario = scenario

    def handle(self, request: MockRequest, *, replay: bool = True) -> MockResponse:
        """Return the response to ``request`` (``replay=False``: ignore the recordings)."""
        headers = request.headers
        origin = headers.get("origin")
        if (
            origin is not None
            and request.method == "OPTIONS"
            and "access-control-request-method" in headers
        ):
            return self._preflight(request, origin)
        response = self._answer(request, replay)
        if request.method == "HEAD" and response.body:  # a declared HEAD: never a body
            response = replace(response, body=b"")
        return response if origin is None else with_origin(response, origin)

    def _answer(self, request: MockRequest, replay: bool = True) -> MockResponse:
        """Route, check credentials, validate and choose the answer (without per-request CORS).

        Credentials come before validation, as in Prism: a request without its token gets
        401 even when its body is wrong too, since the real service would refuse it first.
        A request the mock would refuse that was recorded gets the neighbour's own answer.
        """
        found = self.spec.match(request.method, request.path)
        if isinstance(found, Miss):
            own = self._spec_405(found) if found.status == 405 else None
            if own is not None:
                return own
            answer = miss_answer(
                self.name, self.spec.base_path, request.method, request.path, found
            )
            return self._respond(answer, None)
        plan = self._plans.get(found.operation)
        if plan is None:
            try:
                plan = self._plan(found.operation)
            except AnswersInvalid as exc:
                problem = Problem(
                    status=500, type="mock-invalid-answer", detail=str(exc)
                )
                return self._respond(
                    problem_answer(problem, "mock: invalid answer"), None
                )
        headers = request.headers
        query = parse_qs(request.query, keep_blank_values=True) if request.query else {}
        cookie = headers.get("cookie")
        cookies = _cookies(cookie) if cookie else {}
        recorded = None
        if replay and self.replay.covers(found.operation):
            incoming = self.replay.incoming(
                found.operation, request.path, headers, query, cookies, request.body
            )
            recorded = self.replay.find(found.operation, incoming)
        guard = plan.guard
        if guard is not None:
            missing = guard.missing(headers, query, cookies)
            if missing is not None:
                if recorded is not None and recorded[0] is not None:
                    return self.replay.answer(recorded[0])
                return self._unauthorized(plan, guard, missing)
            refused = tenant_refusal(headers)
            if refused is not None:
                return self._forbidden(plan, refused)
        try:
            valid = plan.validator(
                found.path_params,
                query,
                headers,
                cookies,
                headers.get("content-type"),
                request.body,
            )
        except RequestInvalid as exc:
            if recorded is not None and recorded[0] is not None:
                return self.replay.answer(recorded[0])
            prefer = headers.get("prefer") or prefer_in_query(query)
            if prefer:
                chosen = self._preferred_for_invalid(plan, prefer, exc)
                if chosen is not None:
                    return chosen
            own = spec_answer_to_invalid(
                plan.answers,
                exc,
                lambda status: self._declared_for(plan, status),
                plan.operation.responses,
            )
            if own is not None:
                return own
            answer = problem_answer(exc.to_problem(), "mock: invalid request")
            return self._respond(answer, plan)
        rules = plan.rules.get(self._scenario) or plan.rules[None]
        for condition, response in rules:
            if condition.matches(found.path_params, query, headers, valid.body):
                break
        else:
            prefer = headers.get("prefer") or prefer_in_query(query)
            if prefer:
                response = self._preferred(plan, prefer)
            elif recorded is None:
                response = plan.default
            elif recorded[0] is not None:
                response = self.replay.answer(recorded[0])
            else:
                return self.replay.miss(
                    plan.operation,
                    plan.label,
                    request.method,
                    incoming,
                    recorded[1],
                    self.spec.base_path,
                )
        accept = headers.get("accept")
        if accept is None or accept == "*/*":
            return response
        return self._negotiate(plan, response, accept)

    def _negotiate(
        self, plan: Plan, response: MockResponse, accept: str
    ) -> MockResponse:
        """Honour ``Accept``: the declared media type it prefers for this status, or 406."""
        content_type = response.header("content-type")
        source = response.header(SOURCE_HEADER) or ""
        if content_type is None or source.startswith("mock:"):
            return response
        declared = response_for(plan.operation, response.status)
        offered = [content_type] + [
            m
            for m in (declared.content if declared is not None else ())
            if m != content_type
        ]
        best = best_match(accept, offered)
        if best == content_type:
            return response
        left = offered
        unserialisable: CannotSerialise | None = None
        while best is not None:
            answer = self._as_media(plan, response.status, best, offered)
            if not isinstance(answer, CannotSerialise):
                return answer
            # This type cannot carry the body: the next type the client takes may.
            unserialisable = unserialisable or answer
            left = [m for m in left if m != best]
            best = best_match(accept, left)
        if unserialisable is not None:
            return self._respond(cannot_serialise_answer(unserialisable), plan)
        key = (plan.operation, response.status, "")
        if key not in self._negotiated:
            detail = (
                f"{plan.label} answers {response.status} as {', '.join(offered)}; "
                f"the request accepts only {accept}."
            )
            self._negotiated[key] = self._not_acceptable(plan, detail)
        return self._negotiated[key]

    def _as_media(
        self, plan: Plan, status: int, media_type: str, offered: list[str]
    ) -> MockResponse | CannotSerialise:
        """Return the answer for ``status`` as ``media_type``, built once.

        A type that cannot carry the body (an object as text/plain) gives its reason, for
        the caller to try the client's next choice.
        """
        key = (plan.operation, status, media_type)
        found = self._negotiated.get(key)
        if found is not None:
            return found
        named = plan.overlay_examples.get(str(status), {})
        try:
            answer = self._builder.build(
                plan.operation, status, named, media_type=media_type
            )
            found = self._respond(answer, plan)
        except CannotSerialise as exc:
            found = exc
        except AnswerViolates as exc:
            found = self._tolerated(plan, status, exc) or self._unproducible(
                plan, status, media_type, offered, exc
            )
        except MockError as exc:  # e.g. no XML can be written for this value
            found = self._unproducible(plan, status, media_type, offered, exc)
        self._negotiated[key] = found
        return found

    def _unproducible(
        self,
        plan: Plan,
        status: int,
        media_type: str,
        offered: list[str],
        error: MockError,
    ) -> MockResponse:
        """Return the 406 for a declared media type no body can be produced in."""
        detail = (
            f"{plan.label} answers {status} as {', '.join(offered)}; no {media_type} "
            f"body can be produced ({error.message})."
        )
        return self._not_acceptable(plan, detail)

    def _not_acceptable(self, plan: Plan, detail: str) -> MockResponse:
        """Return a 406 problem with ``detail``."""
        problem = Problem(status=406, type="mock-not-acceptable", detail=detail)
        return self._respond(problem_answer(problem, "mock: Accept header"), plan)

    def _tolerated(
        self, plan: Plan, status: int, error: AnswerViolates
    ) -> MockResponse | None:
        """Apply the violations policy to an answer that breaks the spec.

        ``--errors``: 500 ``mock-spec-violation``; otherwise the answer flagged with its
        violations, None when it cannot even be written.
        """
        if self.errors:
            return self._respond(spec_violation_answer(plan.label, status, error), plan)
        flagged = with_violations(error)
        return self._respond(flagged, plan) if flagged is not None else None

    def declared(self, operation: Operation, status: int) -> MockResponse | None:
        """Return the usual answer for ``status`` of ``operation``, if the spec declares it."""
        plan = self._plans.get(operation) or self._plan(operation)
        return plan.answers.get((status, None))

    @property
    def lazy(self) -> bool:
        """Return whether some operations' answers are still to be built (a big spec)."""
        return len(self._plans) < len(self.spec.operations)

    def pending(self) -> list[Operation]:
        """Return the operations whose answers are not built yet (last one first)."""
        return [
            op
            for op in reversed(self.spec.operations)
            if op not in self._plans and op not in self._unanswerable
        ]

    def warm(self, operation: Operation) -> tuple[MockError, ...]:
        """Build one operation's answers ahead of use; return its failures, if any."""
        if operation in self._plans:
            return ()
        try:
            self._plan(operation)
        except AnswersInvalid as exc:
            return exc.errors
        return ()

    def _plan(self, operation: Operation) -> Plan:
        """Build, keep and return one operation's plan (big specs build them on first use).

        Raise :class:`AnswersInvalid` saying why when it cannot be answered (kept, so a
        lenient engine explains it on every call without building it again).
        """
        known = self._unanswerable.get(operation)
        if known is not None:
            raise known
        plan = self._planner.plans((operation,)).get(operation)
        if plan is None:
            reasons = self._planner.unanswerable.get(operation, [])
            known = self._unanswerable[operation] = AnswersInvalid(list(reasons))
            raise known
        self._plans[operation] = plan
        return plan

    def _preferred(self, plan: Plan, header: str) -> MockResponse:
        """Answer as the ``Prefer`` header asks."""
        try:
            preference = parse_prefer(header)
        except PreferInvalid as exc:
            return self._prefer_problem(plan, str(exc))
        status = preference.code or default_status(plan.operation)
        if preference.dynamic:
            try:
                answer = self._builder.build(
                    plan.operation,
                    status,
                    plan.overlay_examples.get(str(status), {}),
                    variant=next(self._dynamic),
                )
            except AnswerViolates as exc:
                tolerated = self._tolerated(plan, status, exc)
                if tolerated is not None:
                    return tolerated
                return self._prefer_problem(plan, str(exc))
            except CannotSerialise as exc:
                return self._respond(cannot_serialise_answer(exc), plan)
            except MockError as exc:  # e.g. no valid data can be generated
                return self._prefer_problem(plan, str(exc))
            return self._respond(answer, plan)
        response = plan.answers.get((status, preference.example))
        if response is not None:
            return response
        if preference.example is None:  # e.g. 404 under a "4XX" or default response
            response = self._declared_for(plan, status)
            if response is not None:
                return response
        statuses = sorted({s for s, _ in plan.answers})
        if status not in statuses:
            detail = (
                f"Prefer code={status}: {plan.label} declares no such response; "
                f"declared: {', '.join(map(str, statuses))}."
            )
        else:
            names = [n for s, n in plan.answers if s == status and n is not None]
            detail = (
                f"Prefer example={preference.example}: {plan.label} {status} has no such "
                f"example; available: {', '.join(names) or 'none'}."
            )
        # As Prism: the requested status or example is content the mock cannot find (404);
        # a Prefer header that does not parse stays a 400.
        return self._prefer_problem(plan, detail, 404)

    def _preferred_for_invalid(
        self, plan: Plan, header: str, invalid: RequestInvalid
    ) -> MockResponse | None:
        """Answer an invalid request as ``Prefer`` asks, when it asks for a refusal's status.

        A requested code the refusal could take (415, 422 or 400) and a requested example
        apply to it, as to a valid request: a missing example is the same 404. Any other
        code (``code=200`` for a bad body) is ignored: the request is still refused. None
        leaves the refusal to the usual rule.
        """
        try:
            preference = parse_prefer(header)
        except PreferInvalid:
            return None
        refusals = (415, 422, 400) if invalid.status == 415 else (422, 400)
        status = preference.code
        if status not in refusals or (status, None) not in plan.answers:
            return None
        found = plan.answers.get((status, preference.example))
        if found is None:
            names = [n for s, n in plan.answers if s == status and n is not None]
            detail = (
                f"Prefer example={preference.example}: {plan.label} {status} has no "
                f"such example; available: {', '.join(names) or 'none'}."
            )
            return self._prefer_problem(plan, detail, 404)
        detail = invalid.to_problem().detail
        return with_note(
            found, f"spec {status} response to an invalid request: {detail}"
        )

    def _unauthorized(self, plan: Plan, guard: Guard, missing: str) -> MockResponse:
        """Answer 401: the spec's own 401 if it declares one, else a problem saying what to send."""
        operation = plan.operation
        route = route_of(self.spec.base_path, operation)
        detail = unauthorized_detail(self.name, operation.method, route, guard, missing)
        challenge = guard.challenge(self.name)
        own = spec_answer_to_unauthorized(
            plan.answers, detail, challenge, lambda s: self._declared_for(plan, s)
        )
        if own is not None:
            return own
        problem = Problem(
            status=401,
            type="mock-unauthorized",
            detail=detail,
            headers={"WWW-Authenticate": challenge} if challenge else {},
        )
        return self._respond(problem_answer(problem, "mock: missing credentials"), plan)

    def _spec_405(self, miss: Miss) -> MockResponse | None:
        """Answer a wrong method with the path's own 405 (or default) response, if declared.

        The path's first operation that declares one speaks for the path; ``Allow`` lists
        the methods it has, as RFC 9110 requires.
        """
        for candidate in miss.candidates:
            try:
                plan = self._plans.get(candidate.operation) or self._plan(
                    candidate.operation
                )
            except AnswersInvalid:
                continue
            declared = self._declared_for(plan, 405)
            if declared is not None:
                allow = (("allow", ", ".join(miss.allowed)),)
                note = f"spec 405 response: {miss.method} is not one of {allow[0][1]}"
                return with_note(declared, note, allow)
        return None

    def _declared_for(self, plan: Plan, status: int) -> MockResponse | None:
        """Return the spec's answer for one of the mock's own refusals, built once.

        The operation's exact response for ``status``, else its range ("4XX") or
        ``default`` response answered with ``status``; None when the spec declares none
        (the mock then answers problem+json) or no valid body can be built for it.
        """
        key = (plan.operation, status)
        if key in self._refusals:
            return self._refusals[key]
        found = plan.answers.get((status, None))
        if found is None and response_for(plan.operation, status) is not None:
            named = plan.overlay_examples.get(str(status), {})
            for variant in (0, 1):  # the spec's example, else generated data
                try:
                    answer = self._builder.build(
                        plan.operation, status, named, variant=variant
                    )
                except AnswerViolates as exc:
                    if self.errors:  # never swapped for generated data
                        found = self._tolerated(plan, status, exc)
                        break
                    continue
                except MockError:
                    continue
                found = self._respond(answer, plan)
                break
        self._refusals[key] = found
        return found

    def _forbidden(self, plan: Plan, refused: str) -> MockResponse:
        """Answer 403: the token names another tenant than the host's (tenant_tokens)."""
        route = route_of(self.spec.base_path, plan.operation)
        declared = self._declared_for(plan, 403)
        if declared is not None:
            return with_note(declared, f"spec 403 response: {route}: {refused}")
        problem = Problem(
            status=403,
            type="tenant-forbidden",
            detail=f"{self.name} mock: {plan.operation.method} {route}: {refused}",
            headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'},
        )
        return self._respond(
            problem_answer(problem, "mock: token for another tenant"), plan
        )

    def _prefer_problem(
        self, plan: Plan, detail: str, status: int = 400
    ) -> MockResponse:
        """Return the problem for an unusable ``Prefer`` header (400, or 404: not declared)."""
        slug = "mock-prefer-not-declared" if status == 404 else "mock-prefer-invalid"
        problem = Problem(status=status, type=slug, detail=detail)
        return self._respond(problem_answer(problem, "mock: Prefer header"), plan)

    def _preflight(self, request: MockRequest, origin: str) -> MockResponse:
        """Answer a CORS preflight for a path the spec serves (else as a normal request)."""
        answer = preflight_answer(self.spec, request.path, request.headers)
        if answer is None:
            return with_origin(self._answer(request), origin)
        return with_origin(self._respond(answer, None), origin)

    def _respond(self, answer: Answer, plan: Plan | None) -> MockResponse:
        """Wrap an answer for the transport and the access log."""
        operation = plan.operation if plan is not None else None
        return to_response(answer, self.spec.base_path, operation)

    def _locate(self, operation: Operation, suffix: str) -> str:
        """Return ``file:line`` of a place in the operation's spec, for load-time errors."""
        return locate_in_spec(self.spec, operation.pointer + suffix)


def _cookies(header: str) -> dict[str, str]:
    """Parse a ``Cookie`` header into a plain mapping."""
    jar: SimpleCookie = SimpleCookie()
    jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}
