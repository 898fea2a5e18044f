"""The benchmark's own database: never the one the console or the tests use.

SQLite: a file in bench-results/ per size. PostgreSQL (when DATABASE_URL
names one): a database per size on the same server, ``junction_bench_<size>``.
Either is kept between runs, so a size is built once; ``--rebuild`` starts
it over.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.conf import settings

RESULTS_DIR = Path(settings.BASE_DIR) / "bench-results"


def vendor_of(url: str) -> str:
    engine = dj_database_url.parse(url)["ENGINE"]
    return "postgresql" if "postgresql" in engine else "sqlite"


def default_url(size: str) -> str:
    configured = os.environ.get("DATABASE_URL", "")
    if configured and vendor_of(configured) == "postgresql":
        parts = urlsplit(configured)
        return urlunsplit(parts._replace(path=f"/junction_bench_{size.lower()}"))
    return f"sqlite:///{RESULTS_DIR / f'bench-{size.lower()}.sqlite3'}"


def prepare(url: str, *, rebuild: bool) -> None:
    """Make sure the database exists, empty when ``rebuild``."""
    if vendor_of(url) == "postgresql":
        _prepare_postgresql(url, rebuild=rebuild)
        return
    path = Path(dj_database_url.parse(url)["NAME"])
    path.parent.mkdir(parents=True, exist_ok=True)
    if rebuild:
        # Deleting the file is far faster than deleting a million rows.
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _prepare_postgresql(url: str, *, rebuild: bool) -> None:
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    name = config["NAME"]
    # CREATE/DROP DATABASE run outside a transaction, from another database.
    with psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    ) as admin:
        if rebuild:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
