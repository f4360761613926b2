"""Run existing Connexion services on satchel's router: same specs, same handlers.

Chosen per service: ``FlaskApp`` (or ``add_api(app, spec, ...)``) in place of Connexion's; a
service built on ``satchel.api.init_app`` keeps satchel's own convention. See
``satchel/api/CONNEXION.md`` for the migration and where behaviour differs.
"""

from satchel.api.connexion_compat.api import add_api
from satchel.api.connexion_compat.app import FlaskApp
from satchel.api.connexion_compat.defaults import DefaultsJSONRequestBodyValidator
from satchel.api.connexion_compat.options import load_connexion_spec
from satchel.api.connexion_compat.problems import ProblemException
from satchel.api.connexion_compat.resolvers import (
    MethodResolver,
    MethodViewResolver,
    RelativeResolver,
    Resolver,
    ResolverError,
    RestyResolver,
)
from satchel.api.connexion_compat.responses import NoContent, problem

__all__ = [
    "DefaultsJSONRequestBodyValidator",
    "FlaskApp",
    "MethodResolver",
    "MethodViewResolver",
    "NoContent",
    "ProblemException",
    "RelativeResolver",
    "Resolver",
    "ResolverError",
    "RestyResolver",
    "add_api",
    "load_connexion_spec",
    "problem",
]
