"""The health check: is the process up and its database reachable (for load balancers, monitors)."""

from __future__ import annotations

from django.db import connection
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers


def health_response() -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means unhealthy
        response = JsonResponse({"status": "error", "database": str(exc.__class__.__name__)}, status=503)
    else:
        response = JsonResponse({"status": "ok", "database": "ok"})
    add_never_cache_headers(response)
    return response
