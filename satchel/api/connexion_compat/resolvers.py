"""Find the function an operation names, the way Connexion 2 and 3 do for Flask apps.

``Resolver`` reads ``operationId`` as a dotted import path (prefixed by the operation's
``x-openapi-router-controller``); ``RelativeResolver`` puts a package in front;
``RestyResolver`` derives ``module.search/get/post/put/delete`` from the path and method when
there is no operationId; ``MethodViewResolver`` (and ``MethodResolver``) map to class-based
views. Each returns ``(function, dotted name)`` or raises :class:`ResolverError` saying which
name it looked for and what was missing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MethodResolver",
    "MethodViewResolver",
    "OperationRef",
    "RelativeResolver",
    "Resolver",
    "ResolverError",
    "RestyResolver",
    "function_from_name",
]


class ResolverError(LookupError):
    """An operation's handler cannot be found; the message names what was looked for."""


@dataclass(frozen=True)
class OperationRef:
    """What resolvers read of an operation: its id, controller, method and path template."""

    operation_id: str | None
    router_controller: str | None
    method: str
    path: str


def function_from_name(name: str) -> Callable[..., Any]:
    """Import ``package.module.attr[.attr]`` and return the callable, as Connexion does."""
    if not name or "." not in name:
        raise ResolverError(
            f"{name or '(empty)'!r} is not a dotted path; name the handler as "
            "module.function (or set x-openapi-router-controller)"
        )
    module_name, attribute = name.rsplit(".", 1)
    attributes = [attribute]
    module = None
    while module is None:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name is None or not module_name.startswith(error.name):
                raise  # the module exists but its own import failed: a real bug to show
            if "." not in module_name:
                raise ResolverError(
                    f"looked for {name}: module {error.name} does not exist"
                ) from None
            module_name, attribute = module_name.rsplit(".", 1)
            attributes.insert(0, attribute)
    found: Any = module
    for index, attribute in enumerate(attributes):
        if not hasattr(found, attribute):
            owner = ".".join([module_name, *attributes[:index]])
            raise ResolverError(
                f"looked for {name}: {owner} has no attribute {attribute}"
            )
        found = getattr(found, attribute)
    if not callable(found):
        raise ResolverError(
            f"looked for {name}: it is a {type(found).__name__}, not a function"
        )
    return found


class Resolver:
    """``operationId`` is the import path, after the operation's router controller if any."""

    def __init__(
        self, function_resolver: Callable[[str], Any] = function_from_name
    ) -> None:
        self.function_resolver = function_resolver

    def resolve(self, operation: OperationRef) -> tuple[Callable[..., Any], str]:
        """Return ``(handler, the dotted name it was found under)``."""
        name = self.resolve_operation_id(operation)
        return self.resolve_function_from_operation_id(name), name

    def resolve_operation_id(self, operation: OperationRef) -> str:
        """Return the dotted name of the handler."""
        if not operation.operation_id:
            raise ResolverError(
                "operation has no operationId; add one naming its handler"
            )
        if operation.router_controller:
            return f"{operation.router_controller}.{operation.operation_id}"
        return operation.operation_id

    def resolve_function_from_operation_id(self, name: str) -> Callable[..., Any]:
        """Import the handler, turning import failures into :class:`ResolverError`."""
        return self.function_resolver(name)


class RelativeResolver(Resolver):
    """Resolve operationIds relative to ``root_path`` (a package name or module)."""

    def __init__(self, root_path: Any, function_resolver=function_from_name) -> None:
        super().__init__(function_resolver)
        self.root_path = getattr(root_path, "__name__", root_path)

    def resolve_operation_id(self, operation: OperationRef) -> str:
        if not operation.operation_id:
            raise ResolverError(
                "operation has no operationId; add one naming its handler"
            )
        prefix = operation.router_controller or self.root_path
        return f"{prefix}.{operation.operation_id}"


class RestyResolver(Resolver):
    """Without an operationId: ``GET /pets`` -> ``<module>.pets.search``, ``/pets/{id}`` -> get."""

    def __init__(
        self, default_module_name: str, *, collection_endpoint_name: str = "search"
    ):
        super().__init__()
        self.default_module_name = default_module_name
        self.collection_endpoint_name = collection_endpoint_name

    def resolve_operation_id(self, operation: OperationRef) -> str:
        if operation.operation_id:
            return super().resolve_operation_id(operation)
        return self.resolve_operation_id_using_rest_semantics(operation)

    def resolve_operation_id_using_rest_semantics(self, operation: OperationRef) -> str:
        """Return ``module.resource.method`` (``search`` for a GET on a collection)."""
        components = [c for c in operation.path.split("/") if c]
        resource = ".".join(c for c in components if not _is_variable(c)).replace(
            "-", "_"
        )
        if operation.router_controller:
            controller = operation.router_controller
        elif resource:
            controller = f"{self.default_module_name}.{resource}"
        else:
            controller = self.default_module_name
        method = operation.method.lower()
        if method == "get" and resource and not _is_variable(components[-1]):
            method = self.collection_endpoint_name
        return f"{controller}.{method}"


def _is_variable(component: str) -> bool:
    return component.startswith("{") and component.endswith("}")


class MethodResolverBase(RestyResolver):
    """Resty names with the resource as a class: ``/pets`` GET -> ``api.PetsView.get``."""

    def __init__(self, *args: Any, class_arguments: dict | None = None, **kwargs: Any):
        self.class_arguments = class_arguments or {}
        super().__init__(*args, **kwargs)
        self.initialized_views: dict[type, Any] = {}

    def resolve_operation_id(self, operation: OperationRef) -> str:
        if operation.operation_id:
            return RestyResolver.resolve_operation_id(self, operation)
        name = self.resolve_operation_id_using_rest_semantics(operation)
        module_name, view_base, method = name.rsplit(".", 2)
        view_name = "".join(
            part[:1].upper() + part[1:] for part in view_base.split("_")
        )
        return f"{module_name}.{view_name}View.{method}"

    def resolve_function_from_operation_id(self, name: str) -> Callable[..., Any]:
        module_name, view_name, method = (name.rsplit(".", 2) + ["", ""])[:3]
        if not view_name.endswith("View"):
            return self.function_resolver(name)
        view_class = self.function_resolver(f"{module_name}.{view_name}")
        view = self.initialized_views.get(view_class)
        if view is None:
            arguments = self.class_arguments.get(view_name, {})
            view = self.initialized_views[view_class] = self.instantiate(
                view_class,
                view_name,
                tuple(arguments.get("args", ())),
                dict(arguments.get("kwargs", {})),
            )
        found = self.method_of(view, method)
        if found is None:
            raise ResolverError(
                f"looked for {name}: {view_name} has no method {method}"
            )
        return found

    def instantiate(
        self, view_class: type, name: str, args: tuple, kwargs: dict
    ) -> Any:
        raise NotImplementedError

    def method_of(self, view: Any, method: str) -> Callable[..., Any] | None:
        raise NotImplementedError


class MethodResolver(MethodResolverBase):
    """Instantiate the class once and call its bound method."""

    def instantiate(
        self, view_class: type, name: str, args: tuple, kwargs: dict
    ) -> Any:
        return view_class(*args, **kwargs)

    def method_of(self, view: Any, method: str) -> Callable[..., Any] | None:
        return getattr(view, method, None)


class MethodViewResolver(MethodResolverBase):
    """Flask ``MethodView`` classes: dispatched per request through ``as_view`` (decorators run)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop(
            "collection_endpoint_name", None
        )  # Flask dispatches collections to get()
        super().__init__(*args, **kwargs)

    def instantiate(
        self, view_class: type, name: str, args: tuple, kwargs: dict
    ) -> Any:
        return view_class.as_view(name, *args, **kwargs)

    def method_of(self, view: Any, method: str) -> Callable[..., Any] | None:
        # Flask dispatches on the request's method; like Connexion, the view takes **kwargs.
        return view
