"""Database backup and restore.

SQLite uses the online backup API (a consistent copy while the site is running); PostgreSQL
uses pg_dump's custom format and pg_restore in one transaction. A restore first checks that the
file is a backup of *this* product (the lianjian tables and Django's migration table are there)
and refuses anything else, leaving the current database untouched.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

REQUIRED_TABLES = {"django_migrations", "accounts_user", "regions_region", "orgs_organisation"}
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot proceed; the message is for the person running it."""


def _db() -> Mapping[str, Any]:
    return settings.DATABASES["default"]


def _is_sqlite() -> bool:
    return _db()["ENGINE"].endswith("sqlite3")


def _pg_env() -> dict[str, str]:
    db = _db()
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args() -> list[str]:
    db = _db()
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return args


def backup(target: Path) -> Path:
    """Write a consistent copy of the database to *target*."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if _is_sqlite():
        connections["default"].close()
        src = sqlite3.connect(str(_db()["NAME"]))
        tmp = target.with_suffix(target.suffix + ".partial")
        dst = sqlite3.connect(str(tmp))
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
            src.close()
        tmp.replace(target)
        return target
    cmd = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *_pg_args(), "-f", str(target),
           str(_db()["NAME"])]
    result = subprocess.run(cmd, env=_pg_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_dump 失败 / failed: {result.stderr.strip()}")
    return target


def _check_sqlite_file(path: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"备份文件已损坏，无法读取 / the backup is corrupt: {exc}") from None
    if ok != "ok":
        raise BackupError(f"备份文件完整性检查未通过 / integrity check failed: {ok}")
    missing = REQUIRED_TABLES - tables
    if missing:
        raise BackupError(f"这不是联建的备份文件（缺少数据表：{', '.join(sorted(missing))}）/ not a lianjian backup")


def _check_pg_file(path: Path) -> None:
    result = subprocess.run(["pg_restore", "--list", str(path)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"备份文件已损坏，无法读取 / the backup is corrupt: {result.stderr.strip()}")
    listed = result.stdout
    missing = {t for t in REQUIRED_TABLES if f"TABLE public {t} " not in listed and f" {t} " not in listed}
    if missing:
        raise BackupError(f"这不是联建的备份文件（缺少数据表：{', '.join(sorted(missing))}）/ not a lianjian backup")


def restore(source: Path) -> None:
    """Replace the database's contents with the backup in *source*, or change nothing."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"找不到备份文件 / no such file: {source}")
    with source.open("rb") as fh:
        head = fh.read(16)
    if _is_sqlite():
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError("文件不是 SQLite 备份（当前数据库是 SQLite）/ not a SQLite backup")
        _check_sqlite_file(source)
        connections["default"].close()
        live = Path(_db()["NAME"])
        live.parent.mkdir(parents=True, exist_ok=True)
        # Work on a copy so that the source file is never modified, then copy page by page into
        # the live database inside one write transaction of the backup API.
        with tempfile.TemporaryDirectory() as tmpdir:
            copy = Path(tmpdir) / "restore.sqlite3"
            shutil.copyfile(source, copy)
            src = sqlite3.connect(str(copy))
            dst = sqlite3.connect(str(live), timeout=30)
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
        return
    if not head.startswith(PG_MAGIC):
        raise BackupError("文件不是 PostgreSQL 备份（当前数据库是 PostgreSQL）/ not a pg_dump backup")
    _check_pg_file(source)
    cmd = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
           "--exit-on-error", *_pg_args(), "-d", str(_db()["NAME"]), str(source)]
    connections["default"].close()
    result = subprocess.run(cmd, env=_pg_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"恢复失败，数据库未改变 / restore failed, nothing changed: {result.stderr.strip()}")
