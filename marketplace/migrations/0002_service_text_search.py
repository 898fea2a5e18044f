"""Full-text search over services: an FTS5 table and its triggers on SQLite,
GIN indexes on PostgreSQL (see marketplace/search.py)."""

from django.db import migrations


def install_search(apps, schema_editor):
    from marketplace import search

    search.install(schema_editor)


def uninstall_search(apps, schema_editor):
    from marketplace import search

    search.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install_search, uninstall_search),
    ]
