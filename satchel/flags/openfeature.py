"""An OpenFeature provider over the same snapshot, with the tenant as targeting key.

Code may use the standard client (``openfeature.api.get_client().get_boolean_value(...)``)
instead of ``satchel.flags.is_enabled``; both read the same in-memory snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Flask
from openfeature import api
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import FlagResolutionDetails, Reason
from openfeature.provider import AbstractProvider, Metadata
from openfeature.transaction_context import (
    ContextVarsTransactionContextPropagator,
    set_transaction_context,
    set_transaction_context_propagator,
)

from satchel.context import tenant_id
from satchel.flags.declarations import is_of_type
from satchel.flags.errors import UndeclaredFlagError
from satchel.flags.evaluation import current_engine, resolve_in_request


class SatchelProvider(AbstractProvider):
    """Resolve flags from the request's pinned snapshot; the targeting key is the tenant."""

    def get_metadata(self) -> Metadata:
        """Name the provider."""
        return Metadata(name="satchel")

    def _resolve(
        self, key: str, default: Any, context: EvaluationContext | None, flag_type: type
    ) -> FlagResolutionDetails[Any]:
        engine = current_engine()
        tenant = (context.targeting_key if context else None) or tenant_id.get()
        try:
            declared = engine.registry[key]
        except UndeclaredFlagError as error:
            return FlagResolutionDetails(
                default, reason=Reason.ERROR, error_code=ErrorCode.FLAG_NOT_FOUND,
                error_message=str(error),
            )  # fmt: skip
        if declared.type is not flag_type and not (
            flag_type is float and declared.type is int
        ):
            return FlagResolutionDetails(
                default, reason=Reason.ERROR, error_code=ErrorCode.TYPE_MISMATCH,
                error_message=f"Flag {key!r} is declared as {declared.type.__name__}, "
                f"read as {flag_type.__name__}.",
            )  # fmt: skip
        answer, reason = resolve_in_request(key, tenant)
        if flag_type is float and is_of_type(answer, float):
            answer = float(answer)
        return FlagResolutionDetails(answer, reason=Reason(reason))

    def resolve_boolean_details(
        self,
        flag_key: str,
        default_value: bool,
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[bool]:
        """Resolve a boolean flag."""
        return self._resolve(flag_key, default_value, evaluation_context, bool)

    def resolve_string_details(
        self,
        flag_key: str,
        default_value: str,
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[str]:
        """Resolve a string flag."""
        return self._resolve(flag_key, default_value, evaluation_context, str)

    def resolve_integer_details(
        self,
        flag_key: str,
        default_value: int,
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[int]:
        """Resolve an integer flag."""
        return self._resolve(flag_key, default_value, evaluation_context, int)

    def resolve_float_details(
        self,
        flag_key: str,
        default_value: float,
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[float]:
        """Resolve a number flag as a float."""
        return self._resolve(flag_key, default_value, evaluation_context, float)

    def resolve_object_details(
        self,
        flag_key: str,
        default_value: Sequence[Any] | Mapping[str, Any],
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[Sequence[Any] | Mapping[str, Any]]:
        """Refuse: Satchel flags are booleans, strings and numbers only."""
        return FlagResolutionDetails(
            default_value, reason=Reason.ERROR, error_code=ErrorCode.TYPE_MISMATCH,
            error_message=f"Flag {flag_key!r}: Satchel has no object flags.",
        )  # fmt: skip


def register_provider(app: Flask) -> None:
    """Install the provider and set the tenant as targeting key at the start of each request."""
    set_transaction_context_propagator(ContextVarsTransactionContextPropagator())
    api.set_provider(SatchelProvider())

    @app.before_request
    def set_flag_targeting_key() -> None:
        tenant = tenant_id.get()
        attributes = {"tenant_id": tenant} if tenant else {}
        set_transaction_context(
            EvaluationContext(targeting_key=tenant, attributes=attributes)
        )

    @app.teardown_request
    def clear_flag_targeting_key(error: BaseException | None) -> None:
        set_transaction_context(EvaluationContext())  # no tenant leaks into later work
