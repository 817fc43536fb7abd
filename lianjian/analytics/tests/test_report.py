"""The annual report: DOCX/PDF/XLSX content, the command's bad input, downloads and scope."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from lianjian.analytics import report
from lianjian.testing import PASSWORD

pytestmark = pytest.mark.django_db


def docx_text(content: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def test_docx_is_a_proper_document_with_the_overview_figures(year_world):
    data = report.build_report(community=year_world.community, year=2024)
    content = report.render_docx(data)
    text = docx_text(content)
    assert "甲一社区2024年区域化党建联建工作总结" in text
    assert "3家联建单位" in text and "其中3家单位共完成5个联建项目" in text
    assert "助老敬老" in text and "医疗健康" in text
    assert "服务群众36人次" in text
    from docx import Document

    doc = Document(io.BytesIO(content))
    assert len(doc.inline_shapes) >= 2  # the two charts
    assert any(p.style.name.startswith("Heading") for p in doc.paragraphs)


def test_docx_opens_in_libreoffice(year_world, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed here; CI installs libreoffice-writer-nogui")
    src = tmp_path / "report.docx"
    src.write_bytes(report.render_docx(report.build_report(community=year_world.community, year=2024)))
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "report.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")


def test_pdf_embeds_a_cjk_font(year_world, tmp_path):
    content = report.render_pdf(report.build_report(community=year_world.community, year=2024))
    assert content.startswith(b"%PDF")
    pdffonts = shutil.which("pdffonts")
    if pdffonts is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    path = tmp_path / "r.pdf"
    path.write_bytes(content)
    out = subprocess.run([pdffonts, str(path)], capture_output=True, text=True, check=True).stdout
    assert "LJ-CJK" in out or "WenQuanYi" in out  # the @font-face family, subset and embedded
    rows = [line for line in out.splitlines()[2:] if line.strip()]
    assert rows and all(" yes " in line for line in rows)  # every font embedded


def test_xlsx_has_the_tables(year_world):
    from openpyxl import load_workbook

    wb = load_workbook(
        io.BytesIO(report.render_xlsx(report.build_report(community=year_world.community, year=2024)))
    )
    assert {"总体情况", "按类别", "按月份", "各单位", "会议提议", "会上认领"} <= set(wb.sheetnames)
    assert wb["总体情况"]["B4"].value == 5
    assert [r[0].value for r in wb["按类别"].iter_rows(min_row=2)] == ["助老敬老", "医疗健康"]


def test_empty_year_says_so(year_world, tmp_path):
    out = tmp_path / "empty.docx"
    call_command("report", community="甲一社区", year=2010, fmt="docx", output=str(out))
    assert "暂无已完成的联建项目" in docx_text(out.read_bytes())
    pdf = tmp_path / "empty.pdf"
    call_command("report", community="甲一社区", year=2010, fmt="pdf", output=str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")


def test_unknown_community_lists_close_matches(year_world, tmp_path):
    with pytest.raises(CommandError) as err:
        call_command("report", community="甲一社", year=2024, fmt="docx", output=str(tmp_path / "x.docx"))
    assert "甲一社区" in str(err.value)
    assert not (tmp_path / "x.docx").exists()


def test_cli_exits_non_zero_without_traceback(year_world, tmp_path, capsys):
    from lianjian.cli import main

    code = main(
        [
            "report",
            "--community",
            "不存在的社区",
            "--year",
            "2024",
            "--format",
            "docx",
            "-o",
            str(tmp_path / "x.docx"),
        ]
    )
    assert code != 0
    err = capsys.readouterr().err
    assert "找不到社区" in err and "Traceback" not in err


def login(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_dashboard_and_download_are_scope_checked(year_world):
    w = year_world
    staff = login(w.staff)
    page = staff.get(f"/analytics/regions/{w.community.pk}/?year=2024")
    assert page.status_code == 200 and "download-docx" in page.content.decode()
    r = staff.get(f"/analytics/regions/{w.community.pk}/report/?year=2024&format=docx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    assert "5个联建项目" in docx_text(r.content)
    assert login(w.other_staff).get(f"/analytics/regions/{w.community.pk}/?year=2024").status_code == 404
    assert (
        login(w.staff).get(f"/analytics/regions/{w.street.pk}/").status_code == 404
    )  # above their community
    admin = login(w.district_admin)
    district = admin.get(f"/analytics/regions/{w.district.pk}/?year=2024").content.decode()
    assert w.street.name in district
    assert admin.get("/analytics/").status_code == 302
    assert login(w.liaison).get("/analytics/").status_code == 403


def test_api_figures_and_report(year_world):
    w = year_world
    c = login(w.street_admin)
    body = c.get(f"/api/v1/analytics/regions/{w.street.pk}?year=2024").json()
    assert body["projects_completed"] == 6
    r = c.get(f"/api/v1/analytics/regions/{w.community.pk}/report?year=2024&format=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert c.get(f"/api/v1/analytics/regions/{w.community.pk}/report?year=2024&format=exe").status_code == 422
    assert login(w.other_staff).get(f"/api/v1/analytics/regions/{w.street.pk}?year=2024").status_code == 404


def test_report_command_writes_each_format(year_world, tmp_path: Path):
    for fmt in report.FORMATS:
        out = tmp_path / f"r.{fmt}"
        call_command("report", community=year_world.community.code, year=2024, fmt=fmt, output=str(out))
        assert out.stat().st_size > 1000


def test_dashboard_defaults_to_the_latest_year_with_data(year_world):
    page = login(year_world.staff).get(f"/analytics/regions/{year_world.community.pk}/")
    assert page.context["year"] == 2024


def test_pdf_warm_up_runs_in_the_background_and_the_first_report_waits_for_it(year_world, monkeypatch):
    """Servers (lianjian.wsgi / asgi) warm the PDF stack off the request path; a report asked for
    meanwhile waits for it and comes out the same; LIANJIAN_WARM_REPORTS=0 turns it off."""
    assert report.warm_up() > 0
    thread = report.warm_up_in_background()
    assert thread is not None and report.warm_up_in_background() is None  # one at a time
    pdf = report.render_pdf(report.build_report(community=year_world.community, year=2024))
    thread.join(timeout=30)
    assert pdf.startswith(b"%PDF") and report._warmed.is_set()
    monkeypatch.setenv("LIANJIAN_WARM_REPORTS", "0")
    assert report.warm_up_in_background() is None
