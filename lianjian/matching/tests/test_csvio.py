"""Reading needs/resources files: formats accepted and every bad input rejected clearly."""

from __future__ import annotations

import pytest

from lianjian.matching.csvio import MatchInputError, read_needs, read_resources

RES_HEADER = "id,title,description,unit\n"


def write(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def write_xlsx(tmp_path, name: str, rows: list[list[object]]):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def test_reads_utf8_csv_with_bom_quotes_and_optional_category(tmp_path):
    path = write(
        tmp_path,
        "needs.csv",
        '\ufeffid,title,description,category\nN1,找工作,"厂子关了，想找活干\n第二行",就业\nN2,看牙,孩子蛀牙,\n',
    )
    needs = read_needs(path)
    assert [n.id for n in needs] == ["N1", "N2"]
    assert needs[0].description == "厂子关了，想找活干\n第二行"
    assert needs[0].category == "就业"
    assert needs[1].category is None


def test_reads_resources_with_optional_signal_columns(tmp_path):
    path = write(
        tmp_path,
        "res.csv",
        "id,title,description,unit,category,remaining,valid_until,beneficiaries\n"
        "R1,招聘会,岗位,人社所,就业,12,2025-12-31,失业人员、青年\n",
    )
    (res,) = read_resources(path)
    assert (res.unit, res.category, res.remaining, res.valid_until) == ("人社所", "就业", 12, "2025-12-31")
    assert res.beneficiaries == ("失业人员", "青年")


def test_chinese_headers_are_accepted(tmp_path):
    path = write(tmp_path, "res.csv", "编号,标题,描述,单位\nR1,招聘会,岗位,人社所\n")
    assert read_resources(path)[0].unit == "人社所"


def test_reads_xlsx(tmp_path):
    rows = [["id", "title", "description", "unit"], [1, "招聘会", "岗位", "人社所"]]
    path = write_xlsx(tmp_path, "res.xlsx", rows)
    (res,) = read_resources(path)
    assert res.id == "1"  # numeric ids are not turned into "1.0"
    assert res.title == "招聘会"


def test_very_long_field_is_read(tmp_path):
    long_text = "很长的描述" * 50_000
    path = write(tmp_path, "needs.csv", f"id,title,description\nN1,标题,{long_text}\n")
    assert len(read_needs(path)[0].description) == len(long_text)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("", "是空的"),
        ("\n\n  \n", "是空的"),
        ("id,title\nR1,招聘会\n", "缺少列：description, unit"),
        (RES_HEADER, "没有数据行"),
        (RES_HEADER + "R1,招聘会,岗位,人社所\nR1,培训,课程,学校\n", "重复的 id：R1"),
        (RES_HEADER + ",招聘会,岗位,人社所\n", "缺少 id"),
        (RES_HEADER + "R1,,,人社所\n", "标题和描述都为空"),
        ("id,title,description,unit,remaining\nR1,a,b,c,很多\n", "不是整数"),
        ("id,title,description,unit,valid_until\nR1,a,b,c,明年\n", "不是日期"),
    ],
)
def test_bad_resource_files_raise_clear_errors(tmp_path, content, fragment):
    path = write(tmp_path, "res.csv", content)
    with pytest.raises(MatchInputError) as info:
        read_resources(path)
    assert fragment in str(info.value)
    assert "res.csv" in str(info.value)


def test_non_utf8_csv_is_rejected_with_hint(tmp_path):
    path = write(tmp_path, "needs.csv", "id,title,description\nN1,找工作,想找活干\n".encode("gbk"))
    with pytest.raises(MatchInputError) as info:
        read_needs(path)
    message = str(info.value)
    assert "UTF-8" in message
    assert "not UTF-8" in message  # English too


def test_unreadable_xlsx_is_rejected(tmp_path):
    path = write(tmp_path, "needs.xlsx", b"this is not a zip file")
    with pytest.raises(MatchInputError, match="无法读取 Excel"):
        read_needs(path)


def test_missing_file_and_legacy_xls(tmp_path):
    with pytest.raises(MatchInputError, match="找不到"):
        read_needs(tmp_path / "nope.csv")
    with pytest.raises(MatchInputError, match=r"\.xls"):
        read_needs(write(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0"))


def test_header_only_needs_file_is_an_error(tmp_path):
    with pytest.raises(MatchInputError, match="没有数据行"):
        read_needs(write(tmp_path, "needs.csv", "id,title,description\n"))


def test_hostile_xlsx_is_refused_at_once(tmp_path):
    """A few KB declaring row 2,000,000,000 (or a zip that is no workbook) is refused before openpyxl reads it."""
    import time
    import zipfile

    good = write_xlsx(tmp_path, "needs.xlsx", [["id", "title", "description"], ["n1", "t", "d"]])
    bomb = tmp_path / "bomb.xlsx"
    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<dimension ref="A1:C2000000000"/><sheetData><row r="2000000000"><c r="A2000000000"><v>1</v></c>'
             b'</row></sheetData></worksheet>')
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = sheet if info.filename == "xl/worksheets/sheet1.xml" else src.read(info.filename)
            dst.writestr(info.filename, data)
    started = time.perf_counter()
    with pytest.raises(MatchInputError, match="2,000,000,000"):
        read_needs(bomb)
    assert time.perf_counter() - started < 1.0
    plain = tmp_path / "plain.xlsx"
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(MatchInputError, match="压缩包"):
        read_needs(plain)
