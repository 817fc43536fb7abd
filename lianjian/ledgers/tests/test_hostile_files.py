"""Hostile and foreign spreadsheets are refused before parsing: a clear Chinese reason within a second.

The files are written by hand with ``zipfile``: a sheet declaring (or holding) row 2,000,000,000,
a member that inflates a thousand times, an over-long shared string, a Word file or plain zip
called .xlsx, a password-protected workbook, a workbook with macros. Each goes through the same
``ledger_import`` the CLI and the upload page use; nothing is written.
"""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from lianjian.core.spreadsheets import SpreadsheetRejected, XlsxLimits, inspect_xlsx
from lianjian.ledgers.services import LedgerFileError, ledger_import
from lianjian.lists.models import Need

from .helpers import xlsx
from .test_needs import HEADERS, need_row

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def good_file() -> io.BytesIO:
    return xlsx(HEADERS, [need_row("正常需求")], title="需求清单")


def rezip(base: io.BytesIO, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None,
          drop: tuple[str, ...] = (), compression: int = zipfile.ZIP_DEFLATED) -> io.BytesIO:
    """A copy of the workbook *base* with members replaced, added or dropped."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", compression) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, data in add.items():
            dst.writestr(name, data)
    out.seek(0)
    out.name = "hostile.xlsx"
    return out


def header_row() -> str:
    cells = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(HEADERS))
    return f'<row r="1">{cells}</row>'


def sheet(rows: str, *, dimension: str = "") -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    xml = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>{dim}<sheetData>{rows}</sheetData></worksheet>'
    return xml.encode()


def refused(world, file: io.BytesIO, match: str) -> None:  # type: ignore[no-untyped-def]
    """The import (dry run and real) refuses *file* with *match* in the reason, fast, writing nothing."""
    for dry_run in (True, False):
        file.seek(0)
        started = time.perf_counter()
        with pytest.raises(LedgerFileError, match=match):
            ledger_import(actor=world.staff, kind="needs", community=world.community, file=file, dry_run=dry_run)
        assert time.perf_counter() - started < 1.0
    assert not Need.objects.exists()


def test_the_hand_made_base_file_imports(world):
    """Control: the hand-made sheet format itself is accepted, so refusals below are about the hostile part."""
    ok = rezip(good_file(), replace={SHEET: sheet(header_row() + '<row r="2"><c r="A2" t="inlineStr"><is><t>'
                                                  '手写需求</t></is></c><c r="B2" t="inlineStr"><is><t>就业创业'
                                                  '</t></is></c></row>', dimension="A1:J2")})
    report = ledger_import(actor=world.staff, kind="needs", community=world.community, file=ok)
    assert report.ok, report.errors
    assert Need.objects.filter(title="手写需求").exists()


def test_declared_two_billion_rows(world):
    hostile = rezip(good_file(), replace={SHEET: sheet(header_row() + '<row r="2000000000"><c r="A2000000000">'
                                                       '<v>1</v></c></row>', dimension="A1:A2000000000")})
    assert len(hostile.getvalue()) < 16 * 1024
    refused(world, hostile, "2,000,000,000 行")


def test_row_two_billion_without_a_dimension(world):
    """No <dimension> to read: the streaming reader refuses the row number when it meets it."""
    hostile = rezip(good_file(), replace={SHEET: sheet(header_row() + '<row r="3"><c r="A3" t="inlineStr"><is>'
                                                       '<t>x</t></is></c></row><row r="2000000000"><c r="A2000000000">'
                                                       '<v>1</v></c></row>')})
    refused(world, hostile, "2,000,000,000 行")


def test_too_many_columns_and_rows_out_of_order(world):
    wide = "".join(f'<c t="inlineStr"><is><t>{i}</t></is></c>' for i in range(500))
    refused(world, rezip(good_file(), replace={SHEET: sheet(header_row() + f'<row r="2">{wide}</row>')}),
            "第 101 列")
    far = '<row r="2"><c r="XFD2"><v>1</v></c></row>'
    refused(world, rezip(good_file(), replace={SHEET: sheet(header_row() + far)}), "16,384 列")
    again = '<row r="5"><c r="A5"><v>1</v></c></row>' * 3
    refused(world, rezip(good_file(), replace={SHEET: sheet(header_row() + again)}), "行号重复或顺序颠倒")


def test_a_member_inflating_a_thousand_times(world):
    """A 30 MB run of zeros packs into ~30 KB: refused by its compression ratio before anything reads it."""
    hostile = rezip(good_file(), add={"xl/media/padding.bin": b"\0" * (30 * 1024 * 1024)})
    assert len(hostile.getvalue()) < 200 * 1024
    refused(world, hostile, "解压后过大")


def test_size_bounds_per_member_and_in_total():
    """Each bound on its own (small limits, so the test builds small files)."""
    limits = XlsxLimits(max_sheet_bytes=100_000, max_shared_strings_bytes=50_000, max_other_bytes=80_000,
                        max_total_bytes=150_000, max_ratio=10_000)
    base = good_file()
    big_text = bytes(range(256)) * 400  # ~100 KB that does not compress
    cases = {
        "sheet": {"replace": {SHEET: sheet(f"<!-- {big_text.hex()[:120_000]} -->")}},
        "shared strings": {"add": {"xl/sharedStrings.xml": b"<sst>" + big_text.hex()[:60_000].encode() + b"</sst>"}},
        "other": {"add": {"xl/media/image1.png": big_text}},
        "total": {"add": {f"xl/media/image{i}.png": big_text[:60_000] for i in range(3)}},
    }
    for name, change in cases.items():
        with pytest.raises(SpreadsheetRejected, match="解压后过大"):
            inspect_xlsx(rezip(base, **change), limits=limits)  # type: ignore[arg-type]
        assert name
    inspect_xlsx(base, limits=limits)  # the untouched workbook passes these limits


def test_over_long_cell_text(world):
    """Text past Excel's 32,767 characters per cell is refused, inline or shared (openpyxl would not write it)."""
    long = "长" * 40_000
    inline = sheet(header_row() + f'<row r="2"><c r="A2" t="inlineStr"><is><t>{long}</t></is></c></row>')
    refused(world, rezip(good_file(), replace={SHEET: inline}), "32,767")
    base = good_file()
    with zipfile.ZipFile(base) as z:
        types = z.read("[Content_Types].xml").replace(b"</Types>", (
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
        rels = z.read("xl/_rels/workbook.xml.rels").replace(b"</Relationships>", (
            b'<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
    shared_strings = f'<sst {NS} count="1" uniqueCount="1"><si><t>{long}</t></si></sst>'.encode()
    shared = sheet(header_row() + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>')
    hostile = rezip(base, replace={SHEET: shared, "[Content_Types].xml": types,
                                   "xl/_rels/workbook.xml.rels": rels}, add={"xl/sharedStrings.xml": shared_strings})
    refused(world, hostile, "32,767")


@pytest.mark.parametrize(("content", "match"), [
    (b"\xef\xbb\xbf\xe9\x9c\x80\xe6\xb1\x82,\xe7\xb1\xbb\xe5\x88\xab\n", "不是 Excel"),
    (b"<html><body>not a workbook</body></html>", "不是 Excel"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 64,
     "密码"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版 Excel"),
    (b"PK\x03\x04 truncated", "已损坏"),
])
def test_foreign_content_named_xlsx(world, content, match):
    file = io.BytesIO(content)
    file.name = "台账.xlsx"
    refused(world, file, match)


def test_a_zip_a_word_file_and_an_encrypted_member(world):
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("readme.txt", "hello")
    refused(world, plain, "压缩包")
    word_types = (b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override '
                  b'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                  b'wordprocessingml.document.main+xml"/></Types>')
    word = io.BytesIO()
    with zipfile.ZipFile(word, "w") as z:
        z.writestr("[Content_Types].xml", word_types)
        z.writestr("word/document.xml", "<w:document/>")
    refused(world, word, "Word")
    # Mark every member "encrypted" (general-purpose flag bit 0), as a password-protected zip does,
    # in the central directory the reader consults.
    data = bytearray(good_file().getvalue())
    start = data.find(b"PK\x01\x02")
    while start != -1:
        data[start + 8] |= 0x1
        start = data.find(b"PK\x01\x02", start + 4)
    refused(world, io.BytesIO(bytes(data)), "密码")


def test_a_workbook_with_macros(world):
    base = good_file()
    with zipfile.ZipFile(base) as z:
        types = z.read("[Content_Types].xml").replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
    hostile = rezip(base, replace={"[Content_Types].xml": types}, add={"xl/vbaProject.bin": b"\0" * 512})
    refused(world, hostile, "含宏")


def test_cli_exits_2_and_the_page_shows_the_reason(world, client, tmp_path, settings, capsys):
    settings.MEDIA_ROOT = tmp_path
    hostile = rezip(good_file(), replace={SHEET: sheet(header_row(), dimension="A1:A2000000000")})
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(hostile.getvalue())
    with pytest.raises(CommandError, match="2,000,000,000") as exc:
        call_command("import", "needs", str(path), "--community", world.community.name)
    assert exc.value.returncode == 2

    client.force_login(world.staff)
    assert client.get(reverse("ledgers:index")).status_code == 200  # warm: templates, URLs
    hostile.seek(0)
    started = time.perf_counter()
    response = client.post(reverse("ledgers:upload"), {"kind": "needs", "community": world.community.pk,
                                                       "file": hostile})
    assert time.perf_counter() - started < 1.0
    assert response.status_code == 400
    assert "2,000,000,000" in response.content.decode()
    assert not Need.objects.exists()
