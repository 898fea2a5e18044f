"""The first keystrokes of a search (marketplace/search.py, facets.py).

The full-text table keeps an index of every one- and two-character prefix:
a page of cards tests rows one by one, each at the cost of one lookup.
FTS5 takes its options only when the table is made: on SQLite the table is
made again and filled from the services. PostgreSQL's GIN indexes need
nothing.

The services get a narrow index of their facet cells by organization: the
counts of a search that most services match read every service of a scope
once, in cell order."""

from __future__ import annotations

from django.db import migrations, models


def rebuild_search(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from marketplace import search

    search.uninstall(schema_editor)
    search.install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0007_service_deprecation"),
    ]

    operations = [
        # Backwards, the table keeps its prefix index: it answers the same.
        migrations.RunPython(rebuild_search, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="service",
            index=models.Index(
                fields=["organization", "kind", "visibility", "service_type", "listed", "project"],
                name="service_org_cell",
            ),
        ),
    ]
