"""axe-core in browser tests: inject the library into a page and list its violations.

axe-core is an npm dependency (package.json); the file is looked up in ``LIANJIAN_AXE_JS``, then
``node_modules/axe-core/axe.min.js`` of the checkout. It is evaluated through the DevTools
protocol, so the page's Content-Security-Policy (no inline scripts) does not stop it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
CANDIDATES = [os.environ.get("LIANJIAN_AXE_JS", ""), str(ROOT / "node_modules" / "axe-core" / "axe.min.js")]
# WCAG 2.1 A and AA plus axe's best practices, as Lighthouse's accessibility audit uses them.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_source() -> str:
    for candidate in CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate).read_text(encoding="utf-8")
    pytest.skip("axe-core is not installed (npm install, or set LIANJIAN_AXE_JS)")
    return ""  # pragma: no cover


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe on the page as it is now; each violation with its id, impact and first targets."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "targets": [n["target"] for n in v["nodes"][:5]]} for v in result["violations"]]


def assert_accessible(page: Any, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{name}: {violations}"
