"""Legacy rows holding control characters (stored before the validators, here with
``queryset.update``) must not break the annual report: DOCX, XLSX and PDF are written and open."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from docx import Document
from openpyxl import load_workbook

from lianjian.analytics import report
from lianjian.meetings.models import Meeting
from lianjian.meetings.tests.factories import make_meeting
from lianjian.orgs.models import Organisation
from lianjian.projects.models import Project
from lianjian.regions.models import Region
from lianjian.testing import PASSWORD

pytestmark = pytest.mark.django_db

BAD = "\u0001\u0007\u000b\u001b\u007f\u0085"


def poison(world):  # type: ignore[no-untyped-def]
    make_meeting(world, open_=False)
    Project.objects.filter(community=world.community).update(title=f"项目\u0007名称{BAD}",
                                                             summary=f"总结\u0001{BAD}")
    Organisation.objects.filter(pk=world.unit.pk).update(name=f"{world.unit.name}\u0007")
    Meeting.objects.filter(community=world.community).update(minutes=f"纪要{BAD}", decisions="决定一\u0007\n决定二",
                                                             venue="会场\u0001")
    Region.objects.filter(pk=world.community.pk).update(name="甲一社区\u0007")
    world.community.refresh_from_db()


def test_every_format_is_written_and_opens(year_world):
    poison(year_world)
    data = report.build_report(community=year_world.community, year=2024)
    docx = report.render_docx(data)
    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "项目名称" in text and "决定二" in text and "\u0007" not in text and "\u0001" not in text
    wb = load_workbook(io.BytesIO(report.render_xlsx(data)))
    titles = [r[0] for r in wb["项目清单"].iter_rows(min_row=2, values_only=True)]
    assert titles and all(t == "项目名称" for t in titles)
    pdf = report.render_pdf(data)
    assert pdf.startswith(b"%PDF")
    assert year_world.community.name == "甲一社区\u0007"  # the caller's instance is left alone


def test_report_downloads_through_the_page_and_api(year_world):
    poison(year_world)
    client = Client()
    assert client.login(username=year_world.staff.username, password=PASSWORD)
    for fmt in ("docx", "xlsx"):
        response = client.get(f"/api/v1/analytics/regions/{year_world.community.pk}/report?year=2024&format={fmt}")
        assert response.status_code == 200, (fmt, response.content[:300])
