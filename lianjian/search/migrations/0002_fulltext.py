"""Full-text indexes over ``SearchEntry.terms`` (jieba words separated by spaces).

SQLite: an FTS5 table with external content (the entries themselves) kept in step by triggers;
skipped, with a warning, when this SQLite was built without FTS5 (queries then use substring
search). PostgreSQL: a GIN index on ``to_tsvector('simple', terms)``, the expression queries use.
"""

import warnings

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(terms, content='search_searchentry', content_rowid='id', "
    "tokenize='unicode61')",
    "CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchentry BEGIN "
    "INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END",
    "CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchentry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); END",
    "CREATE TRIGGER search_fts_au AFTER UPDATE ON search_searchentry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); "
    "INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TABLE IF EXISTS search_fts",
]
PG_UP = ["CREATE INDEX search_terms_gin ON search_searchentry USING GIN (to_tsvector('simple', terms))"]
PG_DOWN = ["DROP INDEX IF EXISTS search_terms_gin"]


def _fts5_available(cursor):
    try:
        cursor.execute("CREATE VIRTUAL TABLE temp.search_fts5_probe USING fts5(x)")
        cursor.execute("DROP TABLE temp.search_fts5_probe")
    except Exception:
        return False
    return True


def up(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            if not _fts5_available(cursor):
                warnings.warn("SQLite without FTS5: search falls back to substring matching.", stacklevel=1)
                return
            statements = SQLITE_UP
        elif connection.vendor == "postgresql":
            statements = PG_UP
        else:
            return
        for sql in statements:
            cursor.execute(sql)


def down(apps, schema_editor):
    connection = schema_editor.connection
    statements = {"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
