"""The tables a migration's ``upgrade()`` creates, drops and puts under audit (SAT-DAT-004).

A table is created by ``op.create_table(name, ...)`` or by raw SQL (``op.execute("CREATE TABLE
...")``, ``sa.text(...)``, ``exec_driver_sql``); names and SQL held in constants are resolved.
SQL is read with sqlglot (a SQL parser), imported only when a migration runs raw SQL. Where the
hook cannot tell which table is meant, it says so (``table=None``) rather than guess.
"""

from __future__ import annotations

import ast
import logging
from dataclasses import dataclass

from hooks.names import module_constants, string_value

CREATE, DROP, TRACK = "create", "drop", "track"
SQL_RUNNERS = {"execute", "exec_driver_sql"}
MARKER = "satchel_unresolved_{}"


@dataclass(frozen=True)
class TableCall:
    """A create, drop or track of a table (``None``: cannot tell which) at a line."""

    kind: str
    table: str | None
    line: int
    how: str


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _local_constants(
    function: ast.FunctionDef, module: dict[str, str]
) -> dict[str, str]:
    """Return the module's constants plus the names the function assigns once to a string."""
    assigned: dict[str, list[ast.expr]] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
    constants = dict(module)
    for name, values in assigned.items():
        text = string_value(values[0], constants) if len(values) == 1 else None
        if text is None:
            constants.pop(name, None)
        else:
            constants[name] = text
    return constants


def sql_template(node: ast.expr, constants: dict[str, str]) -> str | None:
    """Return a call's SQL with each part unknown until run time as a marker name.

    None when nothing of it is spelled out here (a name from elsewhere, a function's result).
    """
    if isinstance(node, ast.Call) and _callee(node) == "text" and node.args:
        node = node.args[0]
    known = string_value(node, constants)
    if known is not None:
        return known
    parts: list[ast.expr] = []
    if isinstance(node, ast.JoinedStr):
        parts = node.values
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        parts = [node.left, node.right]
    texts = []
    for index, part in enumerate(parts):
        value = part.value if isinstance(part, ast.FormattedValue) else part
        text = string_value(value, constants)
        texts.append(MARKER.format(index) if text is None else text)
    template = "".join(texts)
    spelled = template
    for index in range(len(parts)):
        spelled = spelled.replace(MARKER.format(index), "")
    return template if spelled.strip() else None


def _table_name(table) -> str | None:
    name = table.name if table is not None else ""
    return None if not name or MARKER.format("") in name else name


def tables_in_sql(sql: str) -> list[tuple[str, str | None]]:
    """Return (CREATE or DROP, table or None) for each permanent table the SQL makes or drops."""
    import sqlglot
    from sqlglot import exp

    logging.getLogger("sqlglot").setLevel(
        logging.ERROR
    )  # unsupported syntax is handled here
    try:
        statements = sqlglot.parse(sql, read="postgres")
    except sqlglot.errors.SqlglotError:
        statements = [exp.Command(this=sql)]
    found: list[tuple[str, str | None]] = []
    for statement in filter(None, statements):
        if isinstance(statement, exp.Create) and statement.kind == "TABLE":
            properties = statement.args.get("properties")
            if properties and properties.find(exp.TemporaryProperty):
                continue  # lives for one session: nothing to audit
            table = statement.this.find(exp.Table) if statement.this else None
            found.append((CREATE, _table_name(table)))
        elif isinstance(statement, exp.Select) and statement.args.get("into"):
            found.append((CREATE, _table_name(statement.args["into"].find(exp.Table))))
        elif isinstance(statement, exp.Drop) and statement.kind == "TABLE":
            found.append((DROP, _table_name(statement.find(exp.Table))))
        elif isinstance(statement, exp.Command) and _mentions_create_table(sql):
            found.append((CREATE, None))  # a DO block or syntax sqlglot does not parse
    return found


def _mentions_create_table(sql: str) -> bool:
    """Tell whether CREATE ... TABLE appears among the SQL's tokens, or in its string bodies."""
    from sqlglot.errors import SqlglotError
    from sqlglot.tokens import Tokenizer, TokenType

    try:
        tokens = Tokenizer(dialect="postgres").tokenize(sql)
    except SqlglotError:  # not even tokens: say so rather than pass it
        return "create" in sql.lower() and "table" in sql.lower()
    for index, token in enumerate(tokens):
        if token.token_type == TokenType.CREATE:
            following = [t.text.upper() for t in tokens[index + 1 : index + 4]]
            if "TABLE" in following:
                return True
        if token.token_type in (TokenType.STRING, TokenType.HEREDOC_STRING):
            if token.text != sql and _mentions_create_table(token.text):
                return True
    return False


def _named_table(call: ast.Call, constants: dict[str, str], skip: int) -> str | None:
    args = call.args[skip : skip + 1]
    return string_value(args[0], constants) if args else None


def table_calls(
    function: ast.FunctionDef | None, module: ast.Module
) -> tuple[list[TableCall], list[TableCall]]:
    """Return the table calls of ``upgrade()``, and the raw SQL the hook could not read."""
    if function is None:
        return [], []
    constants = _local_constants(function, module_constants(module))
    calls, unread = [], []
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        callee, how = _callee(node), ast.unparse(node.func)
        if callee == "create_table":
            table = _named_table(node, constants, 0)
            calls.append(TableCall(CREATE, table, node.lineno, f"{how}(...)"))
        elif callee == "create_all":
            calls.append(TableCall(CREATE, None, node.lineno, f"{how}(...)"))
        elif callee == "drop_table":
            table = _named_table(node, constants, 0)
            calls.append(TableCall(DROP, table, node.lineno, f"{how}(...)"))
        elif callee == "track" and len(node.args) > 1:
            table = _named_table(node, constants, 1)
            calls.append(TableCall(TRACK, table, node.lineno, f"{how}(...)"))
        elif callee in SQL_RUNNERS and node.args:
            sql = sql_template(node.args[0], constants)
            if sql is None:
                if isinstance(node.args[0], ast.Name) or _callee_text(node.args[0]):
                    unread.append(TableCall(CREATE, None, node.lineno, f"{how}(...)"))
                continue
            for kind, table in tables_in_sql(sql):
                calls.append(TableCall(kind, table, node.lineno, f"{how}(<SQL>)"))
    return calls, unread


def _callee_text(node: ast.expr) -> bool:
    """Tell whether an expression is ``text(...)``: SQL, but not spelled out here."""
    return isinstance(node, ast.Call) and _callee(node) == "text"
