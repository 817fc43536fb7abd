"""Photos are judged by their content: hostile files are refused with a message, never stored as sent."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from lianjian.core import images


def upload(name: str, data: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **options)
    return buf.getvalue()


def png_bomb(width: int = 20_000, height: int = 10_000) -> bytes:
    """A real, valid 1-bit PNG of width×height pixels: all zeros, so it compresses to a few KB."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def gps_jpeg() -> bytes:
    """A 40×20 phone photo taken rotated (EXIF orientation 6) with GPS coordinates."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (31.0, 14.0, 5.0)}
    return encode(Image.new("RGB", (40, 20), (10, 200, 10)), "JPEG", exif=exif)


def refused(file: SimpleUploadedFile) -> str:
    with pytest.raises(ValidationError) as exc:
        images.prepare_photo(file)
    return " ".join(exc.value.messages)


def test_a_24_kb_png_that_decodes_to_20000_by_10000_is_refused_before_decoding():
    """The header's pixel count is checked first: a decompression bomb never allocates its pixels."""
    data = png_bomb()
    assert len(data) < 64 * 1024
    message = refused(upload("bomb.png", data))
    assert "尺寸过大" in message and f"{images.MAX_PIXELS // 10_000} 万像素" in message


def test_pillows_own_bomb_limit_is_an_error_not_a_warning_or_a_500(monkeypatch):
    """Between Pillow's MAX_IMAGE_PIXELS and twice that Pillow only warns; that is refused too."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    message = refused(upload("small.png", encode(Image.new("RGB", (20, 10)), "PNG")))
    assert "尺寸过大" in message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notes.png", b"just some text, not a picture"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("x.html", encode(Image.new("P", (4, 4)), "GIF") + b"<script>alert(1)</script>"),
        ("app.js", encode(Image.new("RGB", (4, 4)), "PNG")),
        ("cut.jpg", encode(Image.new("RGB", (64, 64), (1, 2, 3)), "JPEG")[:200]),
        ("scan.bmp", encode(Image.new("RGB", (4, 4)), "BMP")),
        ("empty.jpg", b""),
    ],
)
def test_non_images_svg_html_named_gifs_scripts_and_truncated_files_are_refused(name, data):
    with pytest.raises(ValidationError) as exc:
        images.prepare_photo(upload(name, data))
    assert all("图片" in m for m in exc.value.messages)


def test_public_copies_lose_exif_and_gps_keep_orientation_and_are_bounded():
    photo = images.prepare_photo(upload("IMG_0001.JPG", gps_jpeg(), "image/jpeg"))
    public = Image.open(io.BytesIO(photo.public.read()))
    thumbnail = Image.open(io.BytesIO(photo.thumbnail.read()))
    for copy in (public, thumbnail):
        exif = copy.getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and ExifTags.Base.Make not in exif and not copy.info.get("exif")
        assert copy.size == (20, 40)  # turned upright, since the orientation tag is gone
    # The private original keeps when and where it was taken.
    original = Image.open(io.BytesIO(photo.original.read()))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)


def test_copies_are_resized_to_1600_and_400_px_on_the_long_edge():
    photo = images.prepare_photo(upload("big.png", encode(Image.new("RGB", (3200, 1000), (9, 9, 9)), "PNG")))
    assert Image.open(io.BytesIO(photo.public.read())).size == (1600, 500)
    assert Image.open(io.BytesIO(photo.thumbnail.read())).size == (400, 125)
    assert (photo.width, photo.height) == (3200, 1000)


def test_stored_names_are_random_and_carry_the_decoded_formats_extension():
    """A PNG sent as holiday.jpg is stored as <random>.png; nothing of the client's name survives."""
    data = encode(Image.new("RGBA", (30, 30), (0, 0, 0, 0)), "PNG")
    first = images.prepare_photo(upload("holiday.jpg", data))
    second = images.prepare_photo(upload("holiday.jpg", data))
    assert first.name.endswith(".png") and "holiday" not in first.name
    assert first.name != second.name and len(first.name.split(".")[0]) >= 32
    assert first.public.name.endswith(".png")  # transparency kept in a PNG copy
    jpeg = images.prepare_photo(upload("photo", gps_jpeg(), "image/jpeg"))
    assert jpeg.name.endswith(".jpg") and jpeg.public.name.endswith(".jpg")
    gif = images.prepare_photo(upload("anim.gif", encode(Image.new("P", (8, 8)), "GIF")))
    assert gif.name.endswith(".gif") and Image.open(io.BytesIO(gif.original.read())).format == "GIF"


def test_absurd_sides_are_refused_even_under_the_pixel_bound():
    assert "尺寸过大" in refused(upload("strip.png", png_bomb(width=images.MAX_SIDE + 1, height=1)))


def test_a_file_over_8_mb_is_refused_without_reading_it_all():
    big = upload("huge.jpg", b"\xff\xd8" + b"\0" * (images.MAX_UPLOAD_BYTES + 10), "image/jpeg")
    assert "8 MB" in refused(big)


class OnePhoto(forms.Form):
    photo = images.PhotoField(required=False)


class ManyPhotos(forms.Form):
    photos = images.PhotoField(multiple=True, max_files=2, required=False)


def test_the_form_field_reports_bad_files_as_form_errors_and_returns_prepared_photos():
    bad = OnePhoto(files={"photo": upload("x.html", encode(Image.new("P", (4, 4)), "GIF"))})
    assert not bad.is_valid() and "不是有效的图片" in bad.errors["photo"][0]
    bomb = OnePhoto(files={"photo": upload("bomb.png", png_bomb())})
    assert not bomb.is_valid() and "尺寸过大" in bomb.errors["photo"][0]
    good = OnePhoto(files={"photo": upload("ok.png", encode(Image.new("RGB", (5, 5)), "PNG"))})
    assert good.is_valid() and isinstance(good.cleaned_data["photo"], images.PreparedPhoto)
    assert OnePhoto(data={}).is_valid()

    from django.utils.datastructures import MultiValueDict

    ok = encode(Image.new("RGB", (5, 5)), "PNG")
    three = MultiValueDict({"photos": [upload(f"{i}.png", ok) for i in range(3)]})
    assert "最多上传 2 张照片" in ManyPhotos(files=three).errors["photos"][0]
    two = ManyPhotos(files=MultiValueDict({"photos": [upload(f"{i}.png", ok) for i in range(2)]}))
    assert two.is_valid() and len(two.cleaned_data["photos"]) == 2
