"""Every QR code of the product comes from lianjian.core.qr and is a proper, decodable image."""

from __future__ import annotations

import io
from pathlib import Path
from xml.etree import ElementTree

from PIL import Image

import lianjian
from lianjian.core.qr import qr_png, qr_svg

URL = "https://lianjian.example.cn/meetings/12/checkin/AbC_123-xyz/"


def test_the_svg_is_a_standalone_document_with_namespace_viewbox_and_size():
    root = ElementTree.fromstring(qr_svg(URL, title="会议 <签到>"))  # noqa: S314 -- our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"  # without the namespace an <img> draws nothing
    width, height = int(root.get("width")), int(root.get("height"))
    assert width == height >= 200 and root.get("viewBox") == f"0 0 {width} {height}"


def test_the_png_decodes_back_to_the_link_and_is_big_enough_to_print():
    import zxingcpp

    image = Image.open(io.BytesIO(qr_png(URL)))
    assert min(image.size) >= 600
    assert [r.text for r in zxingcpp.read_barcodes(image.convert("L"))] == [URL]


def test_no_other_module_draws_qr_codes_itself():
    """One helper for the class: a view that calls segno directly would bring the missing-xmlns bug back."""
    package = Path(lianjian.__file__).parent
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "segno" in path.read_text(encoding="utf-8") and path.name != "qr.py" and "tests" not in path.parts
    ]
    assert offenders == []
