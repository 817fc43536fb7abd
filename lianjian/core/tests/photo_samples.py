"""Hostile and ordinary uploads shared by the photo tests of every app."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from .test_images import encode, gps_jpeg, png_bomb


def photo(name: str = "IMG_0001.jpg") -> SimpleUploadedFile:
    """An ordinary phone photo with GPS in its EXIF."""
    return SimpleUploadedFile(name, gps_jpeg(), content_type="image/jpeg")


def hostile() -> dict[str, SimpleUploadedFile]:
    """One of each kind of upload that must be refused."""
    gif = encode(Image.new("P", (4, 4)), "GIF") + b"<script>alert(1)</script>"
    return {
        "not an image": SimpleUploadedFile("report.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg"),
        "svg": SimpleUploadedFile("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
                                  b"</svg>", content_type="image/svg+xml"),
        "gif named html": SimpleUploadedFile("x.html", gif, content_type="text/html"),
        "script": SimpleUploadedFile("app.js", b"alert(document.cookie)", content_type="text/javascript"),
        "bomb": SimpleUploadedFile("bomb.png", png_bomb(), content_type="image/png"),
    }


def decoded(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image
