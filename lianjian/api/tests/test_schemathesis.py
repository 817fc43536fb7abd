"""A bounded schemathesis run against the live WSGI app: no server errors, no undocumented statuses.

Every operation of ``/api/v1/openapi.json`` is exercised with generated valid and invalid requests as
community staff and as a district admin (token auth). The run is deterministic (``derandomize``) and
kept small (a few examples per operation) so it stays within about a minute on two cores.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lianjian.accounts.services import api_token_create

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection, ignored_auth]
EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 3}


@pytest.fixture
def in_test_transaction():
    """Keep the test's database connection open across WSGI requests (as Django's test client does)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _schema() -> Any:
    from lianjian.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


def _run(schema: Any, headers: dict[str, str]) -> list[str]:
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, examples in EXAMPLES.items():

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def check(case: Any) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                check()
            except Exception as exc:  # collect every operation's failure, then report them all
                failures.append(f"{operation.label} [{mode.value}]: {str(exc)[:1500]}")
    return failures


@pytest.mark.parametrize("who", ["staff", "district_admin"])
def test_schemathesis_finds_no_server_errors_or_undocumented_statuses(world, who, in_test_transaction):
    _token, raw = api_token_create(user=getattr(world, who), name="schemathesis")
    failures = _run(_schema(), {"Authorization": f"Bearer {raw}"})
    assert not failures, "\n\n".join(failures)
