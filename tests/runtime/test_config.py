"""satchel.config: defaults, prefixed variables, coercion, typos, production secrets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pytest
from runtime_notes.app import create_app

from satchel.config import ConfigError, load_config, secret, secret_fields


@dataclass(frozen=True)
class Sample:
    """Settings covering every supported type."""

    env: str = "development"
    port: int = 8000
    ratio: float = 0.5
    debug: bool = False
    hosts: list[str] = field(default_factory=lambda: ["localhost"])
    limits: dict = field(default_factory=dict)
    timeout: int | None = None
    pooler: Literal["direct", "pgbouncer"] = "direct"
    secret_key: str = secret("dev-only-secret")
    api_token: str = secret("")


def load(environ=None, overrides=None) -> Sample:
    """Load Sample with prefix APP."""
    return load_config(Sample, prefix="APP", environ=environ or {}, overrides=overrides)


def test_defaults_come_from_the_dataclass():
    """With no variables, every field keeps its default."""
    assert load() == Sample()


@pytest.mark.parametrize(
    ("variable", "raw", "name", "expected"),
    [
        ("APP_PORT", "9000", "port", 9000),
        ("APP_RATIO", "0.25", "ratio", 0.25),
        ("APP_DEBUG", "true", "debug", True),
        ("APP_DEBUG", "YES", "debug", True),
        ("APP_DEBUG", "0", "debug", False),
        ("APP_DEBUG", "off", "debug", False),
        ("APP_HOSTS", "a.test, b.test,,", "hosts", ["a.test", "b.test"]),
        ("APP_HOSTS", "", "hosts", []),
        ("APP_LIMITS", '{"burst": 5}', "limits", {"burst": 5}),
        ("APP_TIMEOUT", "30", "timeout", 30),
        ("APP_TIMEOUT", "", "timeout", None),
        ("APP_ENV", "test", "env", "test"),
        ("APP_POOLER", "pgbouncer", "pooler", "pgbouncer"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_variables_are_coerced_by_annotation(variable, raw, name, expected):
    """Each variable's text is converted to its field's type."""
    assert getattr(load({variable: raw}), name) == expected


@pytest.mark.parametrize(
    ("variable", "raw", "message"),
    [
        (
            "APP_PORT",
            "eighty",
            "APP_PORT='eighty' is not a valid integer: invalid literal for int() with base 10: "
            "'eighty'. Set APP_PORT to an integer or unset it to use the default.",
        ),
        (
            "APP_RATIO",
            "half",
            "APP_RATIO='half' is not a valid number: could not convert string to float: 'half'. "
            "Set APP_RATIO to a number or unset it to use the default.",
        ),
        (
            "APP_DEBUG",
            "maybe",
            "APP_DEBUG='maybe' is not a valid boolean: use one of 1/0, true/false, yes/no, on/off. "
            "Set APP_DEBUG to a boolean or unset it to use the default.",
        ),
        (
            "APP_LIMITS",
            "{burst: 5}",
            "APP_LIMITS='{burst: 5}' is not a valid JSON object: invalid JSON (Expecting property "
            "name enclosed in double quotes at column 2). Set APP_LIMITS to a JSON object or unset "
            "it to use the default.",
        ),
        (
            "APP_LIMITS",
            "[1, 2]",
            "APP_LIMITS='[1, 2]' is not a valid JSON object: expected a JSON object. Set "
            "APP_LIMITS to a JSON object or unset it to use the default.",
        ),
        (
            "APP_POOLER",
            "pgbouncr",
            "APP_POOLER='pgbouncr' is not a valid choice: expected one of 'direct', "
            "'pgbouncer'. Set APP_POOLER to a choice or unset it to use the default.",
        ),
    ],
    ids=["int", "float", "bool", "json-syntax", "json-not-object", "choice"],
)
def test_bad_values_name_variable_value_and_type(variable, raw, message):
    """A value that does not fit its type is refused with the variable, value and type."""
    with pytest.raises(ConfigError) as caught:
        load({variable: raw})
    assert str(caught.value) == message


def test_unknown_prefixed_variable_is_a_typo():
    """A misspelt variable is refused and the valid names are listed."""
    with pytest.raises(ConfigError) as caught:
        load({"APP_PROT": "9000", "OTHER_PORT": "1"})
    assert str(caught.value) == (
        "Unknown environment variable(s) APP_PROT: no such setting. Valid names: APP_API_TOKEN, "
        "APP_API_TOKEN_FILE, APP_DEBUG, APP_ENV, APP_HOSTS, APP_LIMITS, APP_POOLER, APP_PORT, "
        "APP_RATIO, APP_SECRET_KEY, APP_SECRET_KEY_FILE, APP_TIMEOUT, and APP_FLAG_<KEY> (flag "
        "overrides), APP_TEST_DATABASE_URL (tests). Fix the spelling or unset them."
    )


def test_documented_platform_variables_are_accepted():
    """<PREFIX>_FLAG_<KEY> (flag overrides) and <PREFIX>_TEST_DATABASE_URL are not typos."""
    environ = {
        "APP_FLAG_NOTES_SEARCH": "true",
        "APP_TEST_DATABASE_URL": "sqlite:///{tenant}.db",
    }
    assert load(environ) == Sample()


def test_unknown_override_is_refused():
    """An override naming no field is refused."""
    with pytest.raises(
        ConfigError, match=r"^Override 'prot' is not a setting of Sample; valid"
    ):
        load(overrides={"prot": 1})


def test_overrides_win_over_environment():
    """Test overrides are applied after the environment."""
    assert load({"APP_PORT": "9000"}, {"port": 1234}).port == 1234


def test_production_refuses_every_unsafe_secret_by_name():
    """Production with default or empty secrets fails, naming each and its variable."""
    with pytest.raises(ConfigError) as caught:
        load({"APP_ENV": "production"})
    assert str(caught.value) == (
        "Refusing to start in production with unsafe secrets: secret_key (APP_SECRET_KEY) is "
        "still its development default; api_token (APP_API_TOKEN) is missing or empty. Set each "
        "variable (or APP_<NAME>_FILE pointing at a secret file) to a strong, unique value."
    )


STRONG = "s" * 32  # the shortest secret production accepts


def test_production_accepts_real_secrets():
    """Production starts once every secret is set to a strong non-default value."""
    settings = load(
        {"APP_ENV": "production", "APP_SECRET_KEY": STRONG, "APP_API_TOKEN": "t" * 40}
    )
    assert (settings.secret_key, settings.api_token) == (STRONG, "t" * 40)


@pytest.mark.parametrize(
    "env", ["Production", "prod", " production", "PRODUCTION", "live"]
)
def test_environment_must_be_one_of_the_known_names(env):
    """An env outside the closed set is refused, listing the names (no silent development)."""
    with pytest.raises(ConfigError) as caught:
        load({"APP_ENV": env})
    assert str(caught.value) == (
        f"APP_ENV={env!r} is not an environment: expected exactly one of development, test, "
        "staging, production (lower case, no spaces). Set APP_ENV to one of them."
    )


def test_environment_override_is_checked_too():
    """A test override cannot smuggle an unknown environment past the check."""
    with pytest.raises(ConfigError, match="APP_ENV='prod' is not an environment"):
        load(overrides={"env": "prod"})


@pytest.mark.parametrize("env", ["staging", "production"])
def test_short_secrets_are_refused_where_real_data_is(env):
    """Staging and production refuse a 1-byte secret and a 31-byte one, with the length."""
    with pytest.raises(ConfigError) as caught:
        load({"APP_ENV": env, "APP_SECRET_KEY": "x", "APP_API_TOKEN": "y" * 31})
    message = str(caught.value)
    assert message.startswith(f"Refusing to start in {env} with unsafe secrets: ")
    assert (
        "secret_key (APP_SECRET_KEY) is 1 byte long; at least 32 random bytes"
        in message
    )
    assert "api_token (APP_API_TOKEN) is 31 bytes long" in message


def _pem(bits: int) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return (
        key.public_key()
        .public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        .decode()
    )


def test_rsa_keys_are_judged_by_size():
    """A PEM public key passes at 2048 bits and is refused at 1024, naming its size."""
    strong = load(
        {"APP_ENV": "production", "APP_SECRET_KEY": STRONG, "APP_API_TOKEN": _pem(2048)}
    )
    assert strong.api_token.startswith("-----BEGIN PUBLIC KEY-----")
    with pytest.raises(ConfigError) as caught:
        load(
            {
                "APP_ENV": "production",
                "APP_SECRET_KEY": STRONG,
                "APP_API_TOKEN": _pem(1024),
            }
        )
    assert "api_token (APP_API_TOKEN) is a 1024-bit RSA key; at least 2048 bits" in str(
        caught.value
    )


def test_unreadable_pem_is_refused():
    """A truncated PEM key is refused rather than taken as a long shared secret."""
    broken = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\n"
    with pytest.raises(ConfigError, match="looks like a PEM key but cannot be read"):
        load(
            {"APP_ENV": "production", "APP_SECRET_KEY": STRONG, "APP_API_TOKEN": broken}
        )


def test_development_tolerates_default_secrets():
    """Outside production the development defaults are allowed."""
    assert load().secret_key == "dev-only-secret"


def test_secret_read_from_file(tmp_path):
    """A secret may come from the file named by <VAR>_FILE (Docker/Kubernetes secrets)."""
    path = tmp_path / "key"
    path.write_text("from-a-file\n")
    assert load({"APP_SECRET_KEY_FILE": str(path)}).secret_key == "from-a-file"


def test_unreadable_secret_file_is_named(tmp_path):
    """A missing secret file is reported with its variable and path."""
    missing = tmp_path / "nope"
    with pytest.raises(ConfigError) as caught:
        load({"APP_SECRET_KEY_FILE": str(missing)})
    assert str(caught.value) == (
        f"APP_SECRET_KEY_FILE={missing} cannot be read (No such file or directory); "
        "point it at a readable file holding the secret."
    )


def test_secrets_never_appear_in_repr_or_errors():
    """repr() hides secrets, and a bad secret value is not echoed in the error."""
    settings = load({"APP_SECRET_KEY": "hunter2-hunter2"})
    assert "hunter2" not in repr(settings)
    assert secret_fields(Sample) == ("secret_key", "api_token")


def test_not_a_dataclass_is_refused():
    """Only dataclasses can be loaded."""
    with pytest.raises(
        ConfigError, match="is not a dataclass; declare settings with @dataclass"
    ):
        load_config(dict, prefix="APP", environ={})


def test_unsupported_annotation_is_reported():
    """A field type the loader cannot parse is named when its variable is set."""

    @dataclass
    class Odd:
        when: complex = 0j

    with pytest.raises(
        ConfigError, match=r"^APP_WHEN='1' is not a valid complex: settings of"
    ):
        load_config(Odd, prefix="APP", environ={"APP_WHEN": "1"})


def test_service_refuses_to_start_in_production_with_default_secret():
    """The test service's create_app fails fast, naming the variable to set."""
    with pytest.raises(ConfigError) as caught:
        create_app(environ={"RUNTIME_NOTES_ENV": "production"})
    assert "jwt_key (RUNTIME_NOTES_JWT_KEY) is still its development default" in str(
        caught.value
    )


def test_kubernetes_service_links_are_not_typos():
    """Variables Kubernetes injects for a service named like the prefix are ignored."""
    environ = {
        "APP_SERVICE_HOST": "10.0.0.1",
        "APP_SERVICE_PORT": "80",
        "APP_SERVICE_PORT_HTTP": "80",
        "APP_PORT_80_TCP": "tcp://10.0.0.1:80",
        "APP_PORT_80_TCP_ADDR": "10.0.0.1",
    }
    assert load(environ) == Sample()
