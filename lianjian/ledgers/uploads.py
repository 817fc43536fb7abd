"""Uploaded ledger files kept between the preview and the confirmation.

The file is stored under ``MEDIA_ROOT/imports/`` with a random name; the browser only holds a
signed token naming the file, the kind, the community and the uploader, so a confirmation can
neither point at another file nor be replayed by someone else or after a day.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import IO, Any

from django.core import signing
from django.core.files.storage import default_storage

SALT = "lianjian.ledgers.import"
MAX_AGE = 24 * 3600
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
