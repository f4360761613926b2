"""Compare what credentials an operation requires in two versions of a neighbour's spec.

The client satisfies one of the operation's security requirements today. The change breaks it
when some requirement it may be using has no counterpart tomorrow that asks for no more:
a scheme whose credential travels elsewhere (a bearer token where an API key was), an extra
scheme, or OAuth scopes the token may not carry. Scheme *names* are the spec's own and may
change freely.
"""

from __future__ import annotations

from dataclasses import dataclass

from satchel.openapi import Operation, Spec

from mockserver.core.errors import MockError
from mockserver.core.security import guard_of

__all__ = ["security_changes"]

Need = tuple[str, str]  # where the credential travels, and its scheme or parameter name


@dataclass(frozen=True)
class _Requirement:
    """One alternative: the credentials it needs and the scopes each must carry."""

    needs: frozenset[Need]
    scopes: frozenset[tuple[Need, str]]
    words: str  # as the mock describes it, for messages

    def satisfied_by(self, sent: _Requirement) -> bool:
        """Return whether a client meeting ``sent`` also meets this requirement."""
        return self.needs <= sent.needs and self.scopes <= sent.scopes


def _requirements(spec: Spec, operation: Operation) -> list[_Requirement] | None:
    """Return the operation's alternatives; None when it needs no credential."""
    label = operation.operation_id or f"{operation.method} {operation.path}"
    guard = guard_of(spec, operation, label)
    if guard is None:
        return None
    found = []
    for raw, schemes in zip(operation.security or [], guard.alternatives):
        needs = {s.name: (s.location, s.key.lower()) for s in schemes}
        scopes = {
            (needs[name], scope)
            for name, listed in raw.items()
            if name in needs
            for scope in listed or ()
        }
        words = " and ".join(s.describe() for s in schemes)
        found.append(_Requirement(frozenset(needs.values()), frozenset(scopes), words))
    return found


def security_changes(
    old: Spec, old_op: Operation, new: Spec, new_op: Operation
) -> list[tuple[str, bool]]:
    """Return (message, breaking) for each change in the credentials the call needs."""
    try:
        before = _requirements(old, old_op)
        after = _requirements(new, new_op)
    except MockError as exc:
        return [(f"security cannot be read: {exc.message}", True)]
    if after is None:
        return [] if before is None else [("no longer requires a credential", False)]
    if before is None:
        wanted = " or ".join(r.words for r in after)
        return [(f"now requires a credential: {wanted}", True)]
    changes = []
    for sent in before:
        if any(r.satisfied_by(sent) for r in after):
            continue
        wanted = " or ".join(r.words for r in after)
        extra = sorted(
            scope
            for r in after
            if r.needs <= sent.needs
            for _, scope in r.scopes - sent.scopes
        )
        why = f"; it now also needs scope(s) {', '.join(extra)}" if extra else ""
        changes.append(
            (
                f"security changed: a call sending {sent.words} is refused; "
                f"the neighbour now requires {wanted}{why}",
                True,
            )
        )
    return changes
