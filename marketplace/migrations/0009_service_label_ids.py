"""PostgreSQL: each service's label ids on its own row, with a GIN index and
the triggers that keep them (marketplace/search.py, ``install_labels``): a
search's label matches are read off an index like its words, and its facet
counts read each match once. SQLite needs nothing: its FTS5 table and the
labels' own index answer the same.

Filling the array rewrites every labelled service's row once; autovacuum
reclaims the old versions (VACUUM cannot run inside the migration's
transaction)."""

from __future__ import annotations

from django.db import migrations


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from marketplace import search

        search.install_labels(schema_editor)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from marketplace import search

        search.uninstall_labels(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0008_search_prefix_index"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
