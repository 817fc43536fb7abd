"""Photos: uploads checked by their content, stored under random names, served with care.

Every photo of the product (need photos, progress photos, completion evidence, the demo's own)
passes through :func:`prepare_photo`:

* Pillow must recognise the content as JPEG, PNG, GIF or WebP and decode it fully; the pixel
  count and the sides are checked from the header *before* decoding, so a 24 KB PNG that claims
  20000×10000 pixels (a decompression bomb) is refused without allocating its pixels.
* The client's file name is never used: the original is re-encoded and stored as
  ``<random>.<extension of the decoded format>``. A file whose name claims a non-image type
  (``x.html``, ``x.js``, ``x.svg``) is refused even if its bytes are a valid image.
* Two public copies are made: long edge ≤ 1600 px and a ≤ 400 px thumbnail, EXIF (GPS, camera
  serial) and comments stripped, orientation applied, re-encoded as JPEG (PNG if transparent).

Originals stay private and are served by each app's scope-checked view through
:func:`photo_response`; public copies are served by the same helper with long cache headers when
the photo belongs to something public. Files live in ``STORAGES["default"]``: the filesystem
under ``var/media`` or an S3-compatible object store (see ``lianjian.storage``).
"""

from __future__ import annotations

import io
import posixpath
import secrets
import warnings
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 60_000_000  # 60 MP: a 50 MP phone photo passes, a bomb does not
MAX_SIDE = 12_000
PUBLIC_EDGE = 1600
THUMBNAIL_EDGE = 400
# Decoded format → the extension the stored file gets. MPO is what Pillow calls many phone JPEGs.
FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
OPEN_FORMATS = ["JPEG", "PNG", "GIF", "WEBP"]
SAVE_FORMAT = {"jpg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}
# Names a phone or a camera gives photos; any other extension (html, js, svg, exe…) is refused.
IMAGE_NAME_EXTENSIONS = {"", "jpg", "jpeg", "jpe", "jfif", "pjpeg", "pjp", "png", "gif", "webp", "heic", "heif"}
PUBLIC_MAX_AGE = 365 * 24 * 3600
PRIVATE_MAX_AGE = 3600


@dataclass(frozen=True)
class PreparedPhoto:
    """A checked photo ready to store: the re-encoded original and its two public copies."""

    original: ContentFile
    public: ContentFile
    thumbnail: ContentFile
    width: int
    height: int
    caption: str = ""

    @property
    def name(self) -> str:
        return self.original.name or ""


def _invalid(name: str) -> ValidationError:
    return ValidationError(_("“%(name)s”不是有效的图片。") % {"name": name}, code="invalid_image")


def _too_big(name: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s”的尺寸过大，请上传不超过 %(mp)d 万像素、边长不超过 %(side)d 像素的照片。")
        % {"name": name, "mp": MAX_PIXELS // 10_000, "side": MAX_SIDE},
        code="too_many_pixels",
    )


def _client_name(upload: Any) -> str:
    return posixpath.basename(str(getattr(upload, "name", "") or "").replace("\\", "/"))[:100]


def _read(upload: Any, name: str) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("照片“%(name)s”超过 8 MB。") % {"name": name}, code="too_large")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1) if hasattr(upload, "read") else bytes(upload)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("照片“%(name)s”超过 8 MB。") % {"name": name}, code="too_large")
    if hasattr(upload, "seek"):
        upload.seek(0)
    return bytes(data)


def decode(data: bytes, name: str = "") -> tuple[Image.Image, str]:
    """Open *data* as a photo and decode it fully; return the image and its file extension.

    Raises ValidationError (with a message for people) for anything that is not a JPEG, PNG,
    GIF or WebP picture of sane dimensions.
    """
    extension = posixpath.splitext(name)[1].lower().lstrip(".")
    if extension not in IMAGE_NAME_EXTENSIONS:
        raise _invalid(name)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # MPO has no opener of its own: the JPEG plugin returns it for multi-picture files.
            image = Image.open(io.BytesIO(data), formats=OPEN_FORMATS)
            width, height = image.size
            if width < 1 or height < 1:
                raise _invalid(name)
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise _too_big(name)
            kind = FORMATS[str(image.format)]
            image.load()  # decode every pixel: truncated or corrupt files fail here, not later
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_big(name) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, KeyError, EOFError, TypeError, IndexError,
            MemoryError):
        raise _invalid(name) from None
    return image, kind


def _rgb(image: Image.Image) -> tuple[Image.Image, str]:
    """The image in a mode its public copy can be saved in, and that copy's extension."""
    transparent = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    mode, kind = ("RGBA", "png") if transparent else ("RGB", "jpg")
    return (image if image.mode == mode else image.convert(mode)), kind


def _fit(image: Image.Image, edge: int) -> Image.Image:
    """A new image whose long edge is at most *edge* (the source is never changed)."""
    width, height = image.size
    if max(width, height) <= edge:
        return image.copy()
    scale = edge / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _encode(image: Image.Image, kind: str, **options: Any) -> bytes:
    buf = io.BytesIO()
    if kind == "jpg":
        options = {"quality": 85, "optimize": True, "progressive": True, **options}
    elif kind == "webp":
        options = {"quality": 90, **options}
    elif kind == "png":
        options = {"optimize": False, **options}
    image.save(buf, format=SAVE_FORMAT[kind], **options)
    return buf.getvalue()


def _copies(image: Image.Image) -> tuple[tuple[bytes, str], tuple[bytes, str]]:
    """The public copy and the thumbnail: stripped, upright, long edge ≤ PUBLIC_EDGE / THUMBNAIL_EDGE."""
    upright = image
    if image.getexif().get(ExifTags.Base.Orientation, 1) in range(2, 9):
        upright = ImageOps.exif_transpose(image)
    clean, kind = _rgb(upright)
    public = _fit(clean, PUBLIC_EDGE)
    thumbnail = _fit(public, THUMBNAIL_EDGE)  # from the public copy: far fewer pixels to resample
    for copy in (public, thumbnail):
        copy.info = {}  # no EXIF, GPS, comments or text chunks carried over
    return (_encode(public, kind), kind), (_encode(thumbnail, kind), kind)


def _named_copies(image: Image.Image, stem: str) -> tuple[ContentFile, ContentFile]:
    (public, public_kind), (thumbnail, thumbnail_kind) = _copies(image)
    return (ContentFile(public, name=f"{stem}-{PUBLIC_EDGE}.{public_kind}"),
            ContentFile(thumbnail, name=f"{stem}-{THUMBNAIL_EDGE}.{thumbnail_kind}"))


def _original(image: Image.Image, kind: str) -> bytes:
    """Re-encode the original at full size in its own format (bytes the decoder did not read are gone)."""
    options: dict[str, Any] = {}
    exif = image.info.get("exif")
    icc = image.info.get("icc_profile")
    if kind in ("jpg", "webp") and exif:
        options["exif"] = exif  # the private original keeps when and where it was taken
    if kind in ("jpg", "webp", "png") and icc:
        options["icc_profile"] = icc
    source = image
    if kind == "jpg":
        options["quality"] = 92
        if source.mode not in ("RGB", "L", "CMYK"):
            source = source.convert("RGB")
    elif kind == "gif" and source.mode not in ("P", "L"):
        source = source.convert("P")
    elif kind == "png" and source.mode not in ("1", "L", "LA", "I", "P", "RGB", "RGBA"):
        source = source.convert("RGBA")
    return _encode(source, kind, **options)


def prepare_photo(upload: Any, *, caption: str = "") -> PreparedPhoto:
    """Check one uploaded photo by its content and build what is stored.

    *upload* is an UploadedFile (or any file object with a name); a PreparedPhoto passes through.
    """
    if isinstance(upload, PreparedPhoto):
        return upload
    name = _client_name(upload)
    image, kind = decode(_read(upload, name), name)
    stem = secrets.token_hex(16)
    public, thumbnail = _named_copies(image, stem)
    return PreparedPhoto(
        original=ContentFile(_original(image, kind), name=f"{stem}.{kind}"),
        public=public,
        thumbnail=thumbnail,
        width=image.width,
        height=image.height,
        caption=str(getattr(upload, "caption", "") or caption or "")[:100],
    )


def public_copies(data: bytes) -> tuple[ContentFile, ContentFile]:
    """Public copy and thumbnail of an already stored original (for photos stored before copies existed)."""
    image, _kind = decode(data)
    return _named_copies(image, secrets.token_hex(16))


def store_photo(row: Any, photo: PreparedPhoto, *, original: str = "image", public: str = "public_image",
                thumbnail: str = "thumbnail") -> None:
    """Write the three files of *photo* into the file fields of the (unsaved) model *row*."""
    getattr(row, original).save(photo.original.name, photo.original, save=False)
    getattr(row, public).save(photo.public.name, photo.public, save=False)
    getattr(row, thumbnail).save(photo.thumbnail.name, photo.thumbnail, save=False)


def delete_files(row: Any, *fields: str) -> None:
    """Remove stored files of *row* (after a failed save, so nothing half-written stays behind)."""
    for field in fields or ("image", "public_image", "thumbnail"):
        file = getattr(row, field, None)
        if file and file.name:
            file.storage.delete(file.name)


# ---- forms --------------------------------------------------------------------------------------
class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotoField(forms.FileField):
    """The one form field for photos: checks each file by its content and returns PreparedPhotos.

    ``PhotoField(multiple=True, max_files=N)`` accepts several files from one input and cleans
    to a list; otherwise it cleans to one PreparedPhoto or None.
    """

    def __init__(self, *, multiple: bool = False, max_files: int = 9, **kwargs: Any) -> None:
        self.multiple = multiple
        self.max_files = max_files
        attrs = {"accept": "image/jpeg,image/png,image/gif,image/webp"}
        if multiple:
            kwargs.setdefault("widget", _MultipleFileInput(attrs={**attrs, "multiple": True}))
        else:
            kwargs.setdefault("widget", forms.ClearableFileInput(attrs=attrs))
        kwargs.setdefault("help_text", _("JPG、PNG、GIF 或 WEBP，每张不超过 8 MB。"))
        super().__init__(**kwargs)

    def to_python(self, data: Any) -> Any:
        file = super().to_python(data)
        return prepare_photo(file) if file else None

    def clean(self, data: Any, initial: Any = None) -> Any:
        if not self.multiple:
            return super().clean(data, initial)
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_files:
            raise ValidationError(_("最多上传 %(n)d 张照片。") % {"n": self.max_files}, code="too_many")
        return [super(PhotoField, self).clean(f, initial) for f in files]


def check_photos(photos: Any, *, field: str = "photos", max_files: int = 9) -> list[PreparedPhoto]:
    """Prepare every photo of a service call, or raise ``ValidationError({field: …})`` before anything is written."""
    files = [p for p in (photos or []) if p]
    if len(files) > max_files:
        raise ValidationError({field: _("最多上传 %(n)d 张照片。") % {"n": max_files}})
    try:
        return [prepare_photo(p) for p in files]
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


# ---- serving ------------------------------------------------------------------------------------
def photo_response(request: HttpRequest, file: Any, *, public: bool) -> HttpResponseBase:
    """Serve a stored photo file.

    *public* means anyone may see it: it is cached for a year by browsers and proxies (stored
    names are random and never reused). Otherwise only the viewer's browser keeps it for an hour.
    With ``LIANJIAN_SENDFILE_HEADER`` (``X-Accel-Redirect`` for nginx, ``X-Sendfile`` for
    Apache/lighttpd) the web server sends the bytes; files in an object store are answered with
    a redirect to a short-lived signed URL of the store; else Django streams the file.
    """
    name = getattr(file, "name", "") or ""
    if not name:
        raise Http404
    storage = file.storage
    extension = posixpath.splitext(name)[1].lower().lstrip(".")
    content_type = CONTENT_TYPES.get(extension)
    cache = f"public, max-age={PUBLIC_MAX_AGE}, immutable" if public else f"private, max-age={PRIVATE_MAX_AGE}"
    header = getattr(settings, "LIANJIAN_SENDFILE_HEADER", "")
    response: HttpResponseBase
    try:
        local_path = storage.path(name)
    except NotImplementedError:
        local_path = None
    if local_path is None:
        # An object store: hand the browser a signed URL that expires (the store checks it).
        response = HttpResponseRedirect(storage.url(name))
        response["Cache-Control"] = "private, no-store"
        return response
    if not storage.exists(name):
        raise Http404
    if header:
        response = HttpResponse(content_type=content_type or "application/octet-stream")
        if header.lower() == "x-accel-redirect":
            prefix = getattr(settings, "LIANJIAN_SENDFILE_PREFIX", "/protected-media/").rstrip("/")
            response[header] = f"{prefix}/{name.lstrip('/')}"
        else:
            response[header] = local_path
    else:
        response = FileResponse(storage.open(name, "rb"),
                                content_type=content_type or "application/octet-stream")
    if content_type is None:
        # A file stored before uploads were checked by content: never let a browser render it.
        response["Content-Type"] = "application/octet-stream"
        response["Content-Disposition"] = "attachment"
    response["Cache-Control"] = cache
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


class PhotoURLs:
    """URLs of a photo model's three files, all served by the app's view named ``photo_url_name``.

    ``public_url`` and ``thumbnail_url`` are the public copies (public pages, lists);
    ``original_url`` is the private original, for people who may see the photo's need or project.
    """

    photo_url_name = ""
    pk: Any

    def _photo_url(self, variant: str) -> str:
        from django.urls import reverse

        return reverse(self.photo_url_name, args=[self.pk, variant])

    @property
    def original_url(self) -> str:
        return self._photo_url("original")

    @property
    def public_url(self) -> str:
        return self._photo_url("public")

    @property
    def thumbnail_url(self) -> str:
        return self._photo_url("thumbnail")


PHOTO_VARIANTS = {"original": "image", "public": "public_image", "thumbnail": "thumbnail"}


def serve_photo(request: HttpRequest, *, getter: Any, pk: int, variant: str) -> HttpResponseBase:
    """The body of every photo view: *getter* is the app's selector ``(user, pk, original) → (photo, public)``.

    An anonymous visitor asking for an original is sent to log in; anything the viewer may not
    see is a 404, exactly like a photo that does not exist.
    """
    field = PHOTO_VARIANTS.get(variant)
    if field is None:
        raise Http404
    original = variant == "original"
    if original and not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    photo, public = getter(user=request.user, pk=pk, original=original)
    return photo_response(request, getattr(photo, field), public=public)


# ---- clean-up -----------------------------------------------------------------------------------
def _photo_folders() -> dict[str, list[tuple[Any, str]]]:
    """Folder prefix → the (model, field) pairs that store photos there, for every PhotoURLs model."""
    from django.apps import apps
    from django.db import models

    folders: dict[str, list[tuple[Any, str]]] = {}
    for model in apps.get_models():
        if not issubclass(model, PhotoURLs):
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and isinstance(field.upload_to, str):
                prefix = field.upload_to.split("%", 1)[0]
                folders.setdefault(prefix, []).append((model, field.name))
    return folders


def photo_orphans(*, older_than: Any, storage: Any = None) -> list[str]:
    """Stored photo files no row refers to, older than *older_than* (a timedelta).

    They are left behind when a transaction that had already stored a photo rolls back; only
    the folders photo models write to are looked at, one directory at a time.
    """
    from django.core.files.storage import default_storage
    from django.utils import timezone

    storage = storage or default_storage
    cutoff = timezone.now() - older_than
    folders = _photo_folders()
    orphans: list[str] = []

    def walk(directory: str) -> None:
        try:
            subdirs, files = storage.listdir(directory)
        except (FileNotFoundError, NotADirectoryError):
            return
        for sub in subdirs:
            walk(f"{directory.rstrip('/')}/{sub}")
        if not files:
            return
        prefix = f"{directory.rstrip('/')}/"
        referenced: set[str] = set()
        for model, field in (pair for root, pairs in folders.items() if prefix.startswith(root) for pair in pairs):
            referenced.update(model.objects.filter(**{f"{field}__startswith": prefix}).values_list(field, flat=True))
        for name in files:
            path = prefix + name
            if path not in referenced and storage.get_modified_time(path) < cutoff:
                orphans.append(path)

    roots = sorted(folders)
    for root in roots:
        # A folder inside another photo folder is walked with its parent (projects/ holds no public/).
        if not any(root != other and root.startswith(other) for other in roots):
            walk(root.rstrip("/"))
    return orphans
