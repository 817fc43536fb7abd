"""/healthz answers load balancers cheaply: any Host, no session, one query."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_healthz_answers_a_probe_by_ip_with_one_query_and_no_session(client, settings):
    settings.SECURE_SSL_REDIRECT = True  # a probe over plain HTTP is not redirected
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/healthz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}
    assert [q["sql"] for q in ctx.captured_queries] == ["SELECT 1"]
    assert "no-cache" in response["Cache-Control"] and not response.cookies
    assert client.get("/lists/", HTTP_HOST="10.1.2.3").status_code == 400  # other pages still check Host


def test_healthz_reports_a_broken_database(client, monkeypatch):
    monkeypatch.setattr(connection, "cursor", lambda: (_ for _ in ()).throw(OperationalError("down")))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json() == {"status": "error", "database": "OperationalError"}
