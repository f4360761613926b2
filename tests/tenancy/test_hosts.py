"""Host resolution: only well-formed tenant hosts name a tenant, everything else is refused."""

from __future__ import annotations

import pytest

from satchel.tenancy.errors import MalformedHost, TenantNotFound
from satchel.tenancy.hosts import normalise_host, tenant_from_host

BASE = "students.localhost"

GOOD = [
    ("plain", "school-a.students.localhost", "school-a"),
    ("uppercase", "SCHOOL-A.Students.LOCALHOST", "school-a"),
    ("with port", "school-a.students.localhost:8080", "school-a"),
    ("trailing dot", "school-a.students.localhost.", "school-a"),
    ("trailing dot and port", "school-a.students.localhost.:443", "school-a"),
    ("punycode label", "xn--schle-kva.students.localhost", "xn--schle-kva"),
    ("digits", "42.students.localhost", "42"),
]


@pytest.mark.parametrize(
    ("raw", "tenant"), [g[1:] for g in GOOD], ids=[g[0] for g in GOOD]
)
def test_tenant_from_host_accepts_tenant_hosts(raw, tenant):
    """A sub-domain of the base domain names its tenant, however it is spelled."""
    assert tenant_from_host(raw, BASE) == tenant


MALFORMED = [
    ("missing", None, "the request has no Host header"),
    ("empty", "", "the request has no Host header"),
    (
        "unicode",
        "schüle.students.localhost",
        "the Host header has non-ASCII characters;",
    ),
    ("ipv4", "127.0.0.1", "the host is an IP address"),
    ("ipv4 with port", "127.0.0.1:5000", "the host is an IP address"),
    ("ipv6", "[::1]:5000", "the host is an IP literal"),
    (
        "bad port",
        "school-a.students.localhost:80a",
        "the Host header has an invalid port '80a'",
    ),
    (
        "empty port",
        "school-a.students.localhost:",
        "the Host header has an invalid port ''",
    ),
    (
        "over-long",
        "a" * 60
        + "."
        + "b" * 60
        + "."
        + "c" * 60
        + "."
        + "d" * 60
        + ".x.students.localhost",
        "the host is 264 characters long; at most 253 are allowed",
    ),
    (
        "label over 63",
        "a" * 64 + ".students.localhost",
        "the host is not a sequence of DNS labels",
    ),
    (
        "path",
        "school-a.students.localhost/../admin",
        "the host is not a sequence of DNS labels",
    ),
    (
        "userinfo",
        "evil@school-a.students.localhost",
        "the host is not a sequence of DNS labels",
    ),
    (
        "backslash",
        "school-a.students.localhost\\x",
        "the host is not a sequence of DNS labels",
    ),
    (
        "query",
        "school-a.students.localhost?t=b",
        "the host is not a sequence of DNS labels",
    ),
    (
        "fragment",
        "evil.example#.students.localhost",
        "the host is not a sequence of DNS labels",
    ),
    (
        "double dot",
        "school-a..students.localhost",
        "the host is not a sequence of DNS labels",
    ),
    (
        "leading dash",
        "-a.students.localhost",
        "the host is not a sequence of DNS labels",
    ),
    (
        "underscore",
        "school_a.students.localhost",
        "the host is not a sequence of DNS labels",
    ),
    (
        "space",
        "school-a .students.localhost",
        "the host is not a sequence of DNS labels",
    ),
    (
        "nul",
        "school-a\x00.students.localhost",
        "the host is not a sequence of DNS labels",
    ),
    (
        "two trailing dots",
        "school-a.students.localhost..",
        "the host is not a sequence of DNS",
    ),
]


@pytest.mark.parametrize(
    ("raw", "message"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_normalise_host_rejects_malformed_hosts(raw, message):
    """A host that is not a DNS name is a 400 with the reason in the message."""
    with pytest.raises(MalformedHost) as caught:
        normalise_host(raw)
    assert str(caught.value).startswith(message)
    assert caught.value.status == 400


NOT_TENANT = [
    ("other domain", "tenant.evil.example"),
    ("base as prefix", "school-a.students.localhost.evil.example"),
    ("suffix lookalike", "school-a.evilstudents.localhost"),
    ("base itself", "students.localhost"),
    ("nested sub-domain", "a.school-a.students.localhost"),
    ("bare name", "localhost"),
]


@pytest.mark.parametrize(
    "raw", [n[1] for n in NOT_TENANT], ids=[n[0] for n in NOT_TENANT]
)
def test_tenant_from_host_refuses_hosts_outside_the_base_domain(raw):
    """A well-formed host that is not '<tenant>.<base>' names no tenant: 404."""
    with pytest.raises(TenantNotFound) as caught:
        tenant_from_host(raw, BASE)
    assert caught.value.status == 404
    assert str(caught.value).endswith("expected '<tenant>.students.localhost'")


def test_host_map_names_tenants_for_fixed_hosts():
    """A fixed host map is consulted first, after the same normalisation."""
    host_map = {"localhost": "school-a", "demo.example.org": "school-b"}
    assert tenant_from_host("LOCALHOST:5000", BASE, host_map) == "school-a"
    assert tenant_from_host("demo.example.org.", None, host_map) == "school-b"
    assert tenant_from_host("school-c.students.localhost", BASE, host_map) == "school-c"


def test_without_base_domain_only_mapped_hosts_resolve():
    """With no base domain, an unmapped host is not found, and says what was expected."""
    with pytest.raises(TenantNotFound) as caught:
        tenant_from_host("school-a.students.localhost", None, {"localhost": "x"})
    assert str(caught.value) == (
        "host 'school-a.students.localhost' is not a tenant host: expected '<tenant>'"
        " or one of the mapped hosts"
    )
