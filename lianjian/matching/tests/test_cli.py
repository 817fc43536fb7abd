"""``lianjian match`` command: output contract, exit codes, no database needed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lianjian.matching.cli import main

REPO = Path(__file__).resolve().parents[3]

NEEDS = "id,title,description\nN2,孩子满嘴蛀牙,牙上有黑洞\nN1,厂子关了想找活干,没收入\n"
RESOURCES = (
    "id,title,description,unit\n"
    "R1,社区招聘会,提供保安保洁岗位,人社所\n"
    "R2,儿童口腔检查,窝沟封闭,口腔医院\n"
    "R3,老年助餐,午餐,食堂\n"
)


@pytest.fixture
def files(tmp_path):
    needs = tmp_path / "needs.csv"
    resources = tmp_path / "resources.csv"
    needs.write_text(NEEDS, encoding="utf-8")
    resources.write_text(RESOURCES, encoding="utf-8")
    return needs, resources


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_output_has_the_contract_shape(capsys, files):
    needs, resources = files
    code, out, err = run(capsys, "--needs", str(needs), "--resources", str(resources), "--top", "2", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert list(data) == ["N2", "N1"]  # needs in file order
    for matches in data.values():
        assert len(matches) == 2
        for match in matches:
            assert set(match) == {"resource_id", "score", "reasons"}
            assert isinstance(match["score"], float) and 0 <= match["score"] <= 1
            assert match["reasons"] and all(isinstance(r, str) for r in match["reasons"])
        assert matches[0]["score"] >= matches[1]["score"]
    assert data["N2"][0]["resource_id"] == "R2"
    assert data["N1"][0]["resource_id"] == "R1"
    assert "\\u" not in out  # Chinese is printed as is


def test_default_top_is_five_capped_by_resource_count(capsys, files):
    needs, resources = files
    code, out, _ = run(capsys, "--needs", str(needs), "--resources", str(resources), "--json")
    assert code == 0
    assert all(len(m) == 3 for m in json.loads(out).values())


def test_table_output_is_readable(capsys, files):
    needs, resources = files
    code, out, _ = run(capsys, "--needs", str(needs), "--resources", str(resources), "--top", "1")
    assert code == 0
    assert "N2" in out and "孩子满嘴蛀牙" in out and "儿童口腔检查" in out


def test_xlsx_input(capsys, tmp_path, files):
    import openpyxl

    _, resources = files
    wb = openpyxl.Workbook()
    wb.active.append(["id", "title", "description"])
    wb.active.append(["X1", "电瓶车没处充电", "楼道里飞线充电"])
    path = tmp_path / "needs.xlsx"
    wb.save(path)
    code, out, _ = run(capsys, "--needs", str(path), "--resources", str(resources), "--json")
    assert code == 0
    assert list(json.loads(out)) == ["X1"]


@pytest.mark.parametrize(
    ("needs_content", "resources_content", "fragment"),
    [
        ("", RESOURCES, "是空的"),
        (NEEDS, "", "是空的"),
        ("id,title\nN1,a\n", RESOURCES, "缺少列"),
        (NEEDS, "id,title,description,unit\n", "没有数据行"),
        (NEEDS, RESOURCES + "R1,重复,重复,单位\n", "重复的 id"),
        ("id,title,description\nN1,找工作,想找活干\n".encode("gbk"), RESOURCES, "UTF-8"),
    ],
)
def test_bad_input_exits_2_with_message_and_no_traceback(
    capsys, tmp_path, needs_content, resources_content, fragment
):
    needs, resources = tmp_path / "n.csv", tmp_path / "r.csv"
    for path, content in ((needs, needs_content), (resources, resources_content)):
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "--needs", str(needs), "--resources", str(resources), "--json")
    assert code == 2
    assert out == ""
    assert fragment in err
    assert "Traceback" not in err


def test_unreadable_xlsx_exits_2(capsys, tmp_path, files):
    _, resources = files
    bad = tmp_path / "needs.xlsx"
    bad.write_bytes(b"not a workbook")
    code, _, err = run(capsys, "--needs", str(bad), "--resources", str(resources))
    assert code == 2
    assert "Excel" in err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--needs", "a.csv"],
        ["--needs", "a.csv", "--resources", "b.csv", "--top", "0"],
        ["--needs", "a.csv", "--resources", "b.csv", "--top", "many"],
        ["--needs", "/does/not/exist.csv", "--resources", "/nor/this.csv"],
    ],
)
def test_usage_errors_exit_2(capsys, argv):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err and "Traceback" not in err


def test_runs_without_django_or_database(files):
    """The command must work on a machine with no settings and no database."""
    needs, resources = files
    script = (
        "import sys, json; from lianjian.matching.cli import main; "
        "code = main(sys.argv[1:]); "
        "assert 'django' not in sys.modules, 'django was imported'; sys.exit(code)"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-c", script, "--needs", str(needs), "--resources", str(resources), "--json"],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert list(json.loads(proc.stdout.decode("utf-8"))) == ["N2", "N1"]
