"""Where code names a tenant to work in, and whether a request can have chosen it (SAT-TEN-003).

A tenant named in a body, query string or header is the caller's choice; the host is bound to
the tenant's DNS name and the token's audience. Within one function the data flow is visible:
a tenant that comes from ``request.get_json()``, ``request.args`` or a handler's parameters
(the router passes the body and the parameters) is refused. A tenant that comes from a
function's caller, or from anything else this module cannot trace, is left to review.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hooks.names import Imports

PAYLOAD = "payload"
REVIEW = "review"
SINKS = {
    "satchel.tenancy.tenant_scope",
    "satchel.tenancy.unit.tenant_scope",
    "satchel.tenancy.run_in_tenant",
    "satchel.tenancy.scoped.run_in_tenant",
}
JOB_DECORATORS = {"satchel.tenancy.job", "satchel.tenancy.scoped.job"}
CURRENT_TENANT = {
    "satchel.tenancy.current_tenant",
    "satchel.tenancy.unit.current_tenant",
}
REQUEST = "flask.request"
# What of a Flask request the caller writes freely (the host is what tenancy resolves).
REQUEST_DATA = {"json", "get_json", "args", "form", "values", "data", "get_data"}
REQUEST_DATA |= {"files", "headers", "cookies", "view_args", "stream"}
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


@dataclass(frozen=True)
class TenantUse:
    """A call that names its tenant: where, how it reads, and why it is refused or reviewed."""

    line: int
    call: str
    verdict: str
    reason: str


def _own_nodes(nodes: list[ast.stmt]) -> Iterator[ast.AST]:
    """Yield the nodes of a scope, not those of the functions and classes nested in it."""
    stack: list[ast.AST] = [node for node in nodes if not isinstance(node, _NESTED)]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(
            child
            for child in ast.iter_child_nodes(node)
            if not isinstance(child, _NESTED)
        )


def _bindings(nodes: list[ast.AST]) -> list[tuple[list[str], ast.expr]]:
    """Return (names bound, the expression they come from) for each binding in a scope."""
    found = []
    for node in nodes:
        pairs: list[tuple[ast.expr, ast.expr]] = []
        if isinstance(node, ast.Assign):
            pairs = [(target, node.value) for target in node.targets]
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
            pairs = [(node.target, node.value)] if node.value is not None else []
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            pairs = [(node.target, node.iter)]
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            pairs = [
                (i.optional_vars, i.context_expr) for i in node.items if i.optional_vars
            ]
        for target, value in pairs:
            names = [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
            found.append((names, value))
    return found


class _Scope:
    """The data flow of one function (or the module's top level), as far as it is visible."""

    def __init__(self, imports: Imports, body: list[ast.stmt], function, handler: bool):
        self.imports = imports
        self.function = function
        self.nodes = list(_own_nodes(body))
        self.params = set()
        self.tainted: dict[str, str] = {}
        if function is not None:
            args = function.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
            every += [a for a in (args.vararg, args.kwarg) if a is not None]
            self.params = {a.arg for a in every} - {"self", "cls"}
            for name in sorted(self.params):
                if handler:
                    self.tainted[name] = (
                        f"parameter {name} of handler {function.name}()"
                    )
                elif name == "body":
                    self.tainted[name] = f"parameter body of {function.name}()"
        bindings = _bindings(self.nodes)
        changed = True
        while changed:
            changed = False
            for names, value in bindings:
                reason = self.taint(value)
                for name in names:
                    if reason and name not in self.tainted:
                        self.tainted[name] = reason
                        changed = True
        self.clean = self._clean_names(bindings)

    def _clean_names(self, bindings) -> set[str]:
        candidates = {n for names, _ in bindings for n in names} - self.params
        while True:
            clean = {
                name
                for name in candidates
                if all(self.is_clean(v, candidates) for ns, v in bindings if name in ns)
            }
            if clean == candidates:
                return clean
            candidates = clean

    def is_clean(self, expr: ast.expr, clean: set[str] | None = None) -> bool:
        """Tell whether an expression is a literal tenant or the tenant in scope."""
        clean = self.clean if clean is None else clean
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return True
        if isinstance(expr, ast.Call):
            return self.imports.qualify(expr.func) in CURRENT_TENANT
        return isinstance(expr, ast.Name) and expr.id in clean

    def taint(self, expr: ast.expr) -> str | None:
        """Say which request data an expression is computed from, or None."""
        stack: list[ast.AST] = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.Attribute, ast.Name)):
                qualified = self.imports.qualify(node) or ""
                if qualified.startswith(REQUEST + "."):
                    part = qualified.split(".")[2]
                    if part in REQUEST_DATA:
                        return f"request.{part}"
                    continue  # request.host and the like: what tenancy itself resolves
                if isinstance(node, ast.Name) and node.id in self.tainted:
                    return self.tainted[node.id]
            stack.extend(ast.iter_child_nodes(node))
        return None

    def judge(self, expr: ast.expr) -> tuple[str, str] | None:
        """Return (verdict, reason) for the tenant a call is given, or None when it is sound."""
        reason = self.taint(expr)
        if reason:
            return PAYLOAD, reason
        if self.is_clean(expr):
            return None
        name = self.function.name if self.function is not None else None
        if isinstance(expr, ast.Name) and expr.id in self.params:
            return (
                REVIEW,
                f"the tenant is parameter {expr.id} of {name}(), chosen by its callers",
            )
        where = f" in {name}()" if name else ""
        shown = ast.unparse(expr)
        return (
            REVIEW,
            f"the tenant comes from {shown}{where}, which the hook cannot trace",
        )


def _job_names(tree: ast.Module, imports: Imports) -> set[str]:
    """Return the module's functions declared as tenant jobs (``@tenancy.job``)."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                target = (
                    decorator.func if isinstance(decorator, ast.Call) else decorator
                )
                if imports.qualify(target) in JOB_DECORATORS:
                    names.add(node.name)
    return names


def _tenant_argument(
    call: ast.Call, imports: Imports, jobs: set[str]
) -> ast.expr | None:
    """Return the expression a call takes its tenant from, if it is one that names a tenant."""
    func = call.func
    if imports.qualify(func) not in SINKS and not (
        isinstance(func, ast.Name) and func.id in jobs
    ):
        return None
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == "tenant_id"), None)


def tenant_uses(path: Path, tree: ast.Module, imports: Imports) -> list[TenantUse]:
    """Return every call naming a tenant that a request may have chosen or that needs review."""
    jobs = _job_names(tree, imports)
    in_api = path.parent.name == "api" and path.name != "__init__.py"
    functions = [
        node
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    scopes = [_Scope(imports, tree.body, None, False)]
    for function in functions:
        handler = in_api and function in tree.body and not function.name.startswith("_")
        scopes.append(_Scope(imports, function.body, function, handler))
    uses = []
    for scope in scopes:
        for node in scope.nodes:
            if not isinstance(node, ast.Call):
                continue
            argument = _tenant_argument(node, imports, jobs)
            verdict = scope.judge(argument) if argument is not None else None
            if verdict:
                rest = ", ..." if len(node.args) + len(node.keywords) > 1 else ""
                label = f"{ast.unparse(node.func)}({ast.unparse(argument)}{rest})"
                uses.append(TenantUse(node.lineno, label, *verdict))
    return sorted(uses, key=lambda use: use.line)
