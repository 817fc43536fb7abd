"""Uploaded ledger files kept between the preview and the confirmation, and error reports.

The file is stored under ``MEDIA_ROOT/imports/`` with a random name; the browser only holds a
signed token naming the file, the kind, the community and the uploader, so a confirmation can
neither point at another file nor be replayed by someone else or after a day. A rejected
upload's error report (every row error as .xlsx) waits in the same folder behind its own
token. Files nobody came back for are removed by ``lianjian ledgers_cleanup``
(:func:`uploads_cleanup`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import IO, Any

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

SALT = "lianjian.ledgers.import"
MAX_AGE = 24 * 3600
REPORT_SALT = "lianjian.ledgers.error-report"
FOLDER = "imports"


@dataclass(frozen=True)
class PendingImport:
    path: str
    kind: str
    community_id: int
    user_id: int
    filename: str


def upload_store(*, file: Any, kind: str, community_id: int, user_id: int) -> tuple[str, PendingImport]:
    """Save *file* under MEDIA_ROOT/imports/; return the signed token that names it and the record."""
    path = default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}.xlsx", file)
    pending = PendingImport(path=path, kind=kind, community_id=community_id, user_id=user_id,
                            filename=getattr(file, "name", "")[:200])
    data = {"p": path, "k": kind, "c": community_id, "u": user_id, "n": pending.filename}
    return signing.dumps(data, salt=SALT, compress=True), pending


def upload_load(token: str) -> PendingImport | None:
    """The pending import a token names, or None if it is forged, expired or the file is gone."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    path = str(data.get("p", ""))
    if not path.startswith(f"{FOLDER}/") or ".." in path or not default_storage.exists(path):
        return None
    return PendingImport(path=path, kind=data["k"], community_id=int(data["c"]), user_id=int(data["u"]),
                         filename=str(data.get("n", "")))


def upload_open(pending: PendingImport) -> IO[bytes]:
    return default_storage.open(pending.path, "rb")


def upload_discard(pending: PendingImport) -> None:
    default_storage.delete(pending.path)


def _safe(path: str) -> bool:
    return path.startswith(f"{FOLDER}/") and ".." not in path and default_storage.exists(path)


def error_report_store(*, content: bytes, user_id: int, filename: str = "") -> str:
    """Save an error report under MEDIA_ROOT/imports/; return the signed token that names it."""
    path = default_storage.save(f"{FOLDER}/errors-{uuid.uuid4().hex}.xlsx", ContentFile(content))
    return signing.dumps({"p": path, "u": user_id, "n": filename[:200]}, salt=REPORT_SALT, compress=True)


def error_report_load(token: str, *, user_id: int) -> tuple[str, str] | None:
    """(path, original file name) of the report a token names, if it is the user's and still there."""
    try:
        data = signing.loads(token, salt=REPORT_SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    path = str(data.get("p", ""))
    if int(data.get("u", 0)) != user_id or not _safe(path):
        return None
    return path, str(data.get("n", ""))


def uploads_cleanup(*, older_than: dt.timedelta, dry_run: bool = False) -> list[str]:
    """Delete files under MEDIA_ROOT/imports/ last changed more than *older_than* ago.

    These are uploads never confirmed (the preview was abandoned) and error reports. Their tokens
    expire after ``MAX_AGE`` anyway, so with the default of a day nothing still usable goes.
    Returns the paths deleted (or that would be, with *dry_run*).
    """
    try:
        _dirs, files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return []
    cutoff = timezone.now() - older_than
    removed = []
    for name in sorted(files):
        path = f"{FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(path) >= cutoff:
                continue
            if not dry_run:
                default_storage.delete(path)
        except FileNotFoundError:  # removed meanwhile (confirmed or another clean-up)
            continue
        removed.append(path)
    return removed
