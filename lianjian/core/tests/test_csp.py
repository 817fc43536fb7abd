"""Content-Security-Policy: on every response, and nothing in the templates that it would block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from lianjian.core.middleware import content_security_policy

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# report_pdf.html is rendered to PDF by WeasyPrint on the server, never served to a browser.
PRINT_ONLY = {"report_pdf.html", "certificate.html", "poster.html"}  # rendered to PDF, never served


def directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_policy_forbids_inline_script_plugins_framing_and_foreign_forms():
    d = directives(content_security_policy())
    assert d["default-src"] == ["'self'"] and d["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in d["script-src"] and "'unsafe-eval'" not in d["script-src"]
    assert d["style-src"] == ["'self'"]  # no <style> elements; style="" attributes only (style-src-attr)
    assert d["object-src"] == ["'none'"] and d["base-uri"] == ["'self'"]
    assert d["frame-ancestors"] == ["'none'"] and d["form-action"] == ["'self'"]
    assert d["img-src"] == ["'self'", "data:"]


def test_deployments_add_sources_without_weakening_the_rest(settings):
    settings.CSP_EXTRA_SOURCES = {"img-src": ["https://media.example.cn"], "report-uri": ["/csp-report/"]}
    d = directives(content_security_policy())
    assert d["img-src"] == ["'self'", "data:", "https://media.example.cn"]
    assert d["report-uri"] == ["/csp-report/"] and d["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_every_kind_of_response_carries_the_policy(client, world):
    anonymous = [reverse("public:home"), reverse("accounts:login"), "/no-such-page/", reverse("admin:login"),
                 "/api/v1/openapi.json"]
    for path in anonymous:
        response = client.get(path)
        assert "default-src 'self'" in response.headers.get("Content-Security-Policy", ""), path
    client.force_login(world.staff)
    for path in [reverse("core:home"), reverse("lists:need_list"), reverse("meetings:list"),
                 reverse("orgs:list"), reverse("ledgers:index")]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Security-Policy"] == content_security_policy(), path


def served_templates() -> list[Path]:
    return [p for p in sorted(TEMPLATES.rglob("*.html")) if p.name not in PRINT_ONLY]


def test_templates_have_no_inline_scripts_handlers_or_style_elements():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
    style_element = re.compile(r"<style\b", re.I)
    javascript_url = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)
    eval_attr = re.compile(r"""hx-(vals|headers)\s*=\s*['"]\s*(js|javascript):|hx-on""", re.I)
    templates = served_templates()
    assert len(templates) > 40
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for name, pattern in [("inline <script>", inline_script), ("on…= handler", handler),
                              ("<style> element", style_element), ("javascript: URL", javascript_url),
                              ("htmx eval", eval_attr)]:
            match = pattern.search(text)
            assert match is None, f"{path.relative_to(TEMPLATES)}: {name}: {match.group(0) if match else ''}"


def test_htmx_runs_without_eval_or_injected_styles():
    for name in ("base.html", "meetings/board.html"):
        text = (TEMPLATES / name).read_text(encoding="utf-8")
        assert '"allowEval":false' in text and '"includeIndicatorStyles":false' in text, name
