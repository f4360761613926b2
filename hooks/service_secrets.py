"""The environment variables that carry a service's secrets, read from its settings module.

A service declares its secrets in ``<package>/settings.py`` with ``satchel.config.secret()``
and reads each from ``<ENV_PREFIX>_<FIELD>`` (:func:`satchel.config.load_config`), so the names
to keep out of an image come from there rather than from a list kept here. Read with ``ast``;
the service is never imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

from hooks.names import Imports, module_constants
from hooks.service import NOT_PACKAGES
from hooks.sources import BadInput, parse_python

SECRET = {"satchel.config.secret"}


def _secret_fields(tree: ast.Module) -> list[str]:
    """Return the dataclass fields a settings module declares with ``secret(...)``."""
    imports = Imports(tree)
    return [
        node.target.id
        for cls in tree.body
        if isinstance(cls, ast.ClassDef)
        for node in cls.body
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and isinstance(node.value, ast.Call)
        and imports.qualify(node.value.func) in SECRET
    ]


def secret_variables(root: Path) -> dict[str, str]:
    """Map each secret's environment variable to the setting it fills, for the service at root.

    Empty when root holds no service package with a readable settings module.
    """
    variables = {}
    for settings in sorted(root.glob("*/settings.py")):
        package = settings.parent
        if package.name in NOT_PACKAGES or not (package / "__init__.py").is_file():
            continue
        try:
            _, tree = parse_python(settings)
        except BadInput:
            continue  # satchel-tenancy and the other Python hooks report it
        prefix = module_constants(tree).get("ENV_PREFIX", package.name).upper()
        for field in _secret_fields(tree):
            variables[f"{prefix.rstrip('_')}_{field.upper()}"] = (
                f"the secret setting {field} of {settings.relative_to(root)}"
            )
    return variables
