"""Backup and restore: identical row counts after a round trip; foreign or corrupt files are refused."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]
IS_SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def run_cli(args, env):
    return subprocess.run([sys.executable, "-m", "lianjian", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def table_counts(db_path):
    conn = sqlite3.connect(db_path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


@pytest.fixture
def sqlite_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    env["LIANJIAN_VAR_DIR"] = str(tmp_path / "var")
    env["LIANJIAN_TESTING"] = "1"
    return env


@pytest.mark.skipif(not IS_SQLITE, reason="SQLite round trip; PostgreSQL has its own test")
def test_sqlite_backup_then_restore_into_empty_database_keeps_row_counts(tmp_path, sqlite_env):
    assert run_cli(["migrate", "-v0"], sqlite_env).returncode == 0
    demo = run_cli(["demo", "--quiet-logins"], sqlite_env)
    assert demo.returncode == 0, demo.stderr
    backup_file = tmp_path / "b.sqlite3"
    result = run_cli(["backup", "-o", str(backup_file)], sqlite_env)
    assert result.returncode == 0, result.stderr
    before = table_counts(tmp_path / "live.sqlite3")
    assert before["orgs_organisation"] > 0

    empty_env = dict(sqlite_env, DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    result = run_cli(["restore", str(backup_file)], empty_env)
    assert result.returncode == 0, result.stderr
    assert table_counts(tmp_path / "empty.sqlite3") == before


@pytest.mark.skipif(not IS_SQLITE, reason="SQLite file checks")
def test_restore_refuses_corrupt_and_foreign_files_and_leaves_database_untouched(tmp_path, sqlite_env):
    assert run_cli(["migrate", "-v0"], sqlite_env).returncode == 0
    assert run_cli(["demo", "--quiet-logins"], sqlite_env).returncode == 0
    before = table_counts(tmp_path / "live.sqlite3")

    garbage = tmp_path / "garbage.bak"
    garbage.write_bytes(b"this is not a database" * 100)
    foreign = tmp_path / "foreign.sqlite3"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.commit()
    conn.close()
    truncated = tmp_path / "truncated.sqlite3"
    assert run_cli(["backup", "-o", str(truncated)], sqlite_env).returncode == 0
    truncated.write_bytes(truncated.read_bytes()[: 4096 * 3])

    for bad, expected in ((garbage, "不是 SQLite 备份"), (foreign, "不是联建的备份"),
                          (truncated, "备份文件"), (tmp_path / "missing.bak", "找不到备份文件")):
        result = run_cli(["restore", str(bad)], sqlite_env)
        assert result.returncode != 0, bad
        assert expected in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        assert table_counts(tmp_path / "live.sqlite3") == before


@pytest.mark.skipif(IS_SQLITE, reason="PostgreSQL round trip")
@pytest.mark.django_db(transaction=True)
def test_postgres_backup_then_restore_keeps_row_counts(tmp_path):
    from django.db import connection

    from lianjian.core.backup import backup, restore
    from lianjian.demo.loader import load_demo

    load_demo()

    def counts():
        with connection.cursor() as cur:
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")
            tables = [r[0] for r in cur.fetchall()]
            result = {}
            for t in tables:
                cur.execute(f'SELECT COUNT(*) FROM "{t}"')
                result[t] = cur.fetchone()[0]
            return result

    before = counts()
    path = backup(tmp_path / "pg.dump")
    from lianjian.orgs.models import Organisation

    Organisation.objects.filter(name="东星公司").update(name="改过")
    restore(path)
    assert counts() == before
    assert Organisation.objects.filter(name="东星公司").exists()
