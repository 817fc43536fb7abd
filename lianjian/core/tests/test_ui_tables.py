"""Every data table is readable on a phone: each cell carries the label of its column.

On narrow screens ``.table`` rows become stacked cards and the header row is hidden, so a cell
shows its column name through ``data-label`` (rendered by ``td::before`` in app.css). A cell
without one would be a bare number again ("20 / 12 / 37").
"""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S)
CELL = re.compile(r"<td\b([^>]*)>")


def screen_tables() -> list[tuple[Path, str]]:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for table in TABLE.findall(path.read_text(encoding="utf-8")):
            opening = table[: table.index(">") + 1]
            if 'class="table' in opening:
                found.append((path, table))
    return found


def test_every_screen_table_uses_the_shared_table_class() -> None:
    # report_pdf.html is a print document for WeasyPrint, not a screen page.
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.name == "report_pdf.html":
            continue
        for table in TABLE.findall(path.read_text(encoding="utf-8")):
            assert 'class="table' in table[: table.index(">") + 1], f"{path}: a <table> without class=table"


def test_every_data_cell_has_a_column_label() -> None:
    tables = screen_tables()
    assert len(tables) >= 10
    for path, table in tables:
        assert "<thead" in table, f"{path}: a table without a header row"
        for attrs in CELL.findall(table):
            assert "data-label=" in attrs or "colspan=" in attrs, f"{path}: <td{attrs}> has no data-label"
