"""satchel.metrics: histogram labelled by route template and status class, never raw path."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from satchel.testing import tenant_client


def samples(client, name: str) -> list:
    """Scrape /metrics and return the samples called ``name``."""
    response = client.get("/metrics")
    assert response.status_code == 200
    families = text_string_to_metric_families(response.get_data(as_text=True))
    return [s for family in families for s in family.samples if s.name == name]


def test_requests_are_counted_by_template_and_status_class(client, auth_headers):
    """Two note ids, one series; the label is the rule, the class is 2xx/4xx."""
    client.post("/v1/notes", json={"title": "a"}, headers=auth_headers)
    client.get("/v1/notes/1", headers=auth_headers)
    client.get("/v1/notes/2", headers=auth_headers)
    counts = {
        (s.labels["method"], s.labels["route"], s.labels["status_class"]): s.value
        for s in samples(client, "http_request_duration_seconds_count")
    }
    assert counts == {
        ("POST", "/v1/notes", "2xx"): 1.0,
        ("GET", "/v1/notes/<noteId>", "2xx"): 1.0,
        ("GET", "/v1/notes/<noteId>", "4xx"): 1.0,
    }


def test_no_raw_path_or_tenant_in_any_label(app, auth_headers):
    """Neither raw paths, unknown paths nor tenants become label values."""
    for tenant in ("north", "south"):
        client = tenant_client(app, tenant)
        client.get("/v1/notes/12345", headers=auth_headers)
        client.get("/secret-admin-path-98765")
    text = tenant_client(app, "north").get("/metrics").get_data(as_text=True)
    for leaked in ("12345", "98765", "secret-admin", "north", "south"):
        assert leaked not in text
    assert 'route="<unmatched>"' in text


def test_unknown_methods_are_folded(client):
    """An invented HTTP method cannot create a new series."""
    client.open("/v1/notes", method="BREW")
    methods = {
        s.labels["method"]
        for s in samples(client, "http_request_duration_seconds_count")
    }
    assert methods == {"OTHER"}


def test_probes_are_not_timed_and_nothing_is_left_in_flight(client):
    """Probes and scrapes stay out of the histogram; only the scrape itself is in flight."""
    client.get("/livez")
    client.get("/readyz")
    assert samples(client, "http_request_duration_seconds_count") == []
    [in_flight] = samples(client, "http_requests_in_flight")
    assert in_flight.value == 1.0
