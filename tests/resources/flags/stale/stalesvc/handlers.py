"""Code that reads flags in every supported way (parsed, never imported)."""

from openfeature import api

from satchel import flags
from satchel.flags import is_enabled
from satchel.flags import value as flag_value


def handler(config):
    if is_enabled("old-release") and flags.is_enabled("ownerless"):
        return flag_value("used-everywhere")
    config.value(
        "not-a-flag"
    )  # `.value` on something not called flags: not a reference
    return api.get_client().get_boolean_value("typo-flag", False)
