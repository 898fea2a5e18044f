"""A major version can be marked Deprecated, with a sunset date and a message
(issue #15, Version lifecycle). Every row starts not deprecated.

On SQLite the NOT NULL message column and the constraint rebuild
marketplace_service, so the triggers are dropped first and installed again
after, as in 0005."""

from __future__ import annotations

from django.db import migrations, models


def drop_triggers(apps, schema_editor):
    # The rebuild fails while a trigger on another table names
    # marketplace_service, and drops the table's own.
    if schema_editor.connection.vendor != "sqlite":
        return
    from marketplace import catalog_version, facet_count_triggers

    facet_count_triggers.uninstall(schema_editor)
    catalog_version.uninstall(schema_editor)


def install_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from marketplace import catalog_version, facet_count_triggers, search

    search.install(schema_editor)
    facet_count_triggers.install(schema_editor)
    catalog_version.install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0006_name_fields"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, install_triggers),
        migrations.AddField(
            model_name="service",
            name="deprecated_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="service",
            name="deprecation_message",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name="service",
            name="sunset_on",
            field=models.DateField(
                blank=True,
                help_text="The day this major version stops being served.",
                null=True,
            ),
        ),
        migrations.AddConstraint(
            model_name="service",
            constraint=models.CheckConstraint(
                condition=models.Q(deprecated_at__isnull=False)
                | models.Q(sunset_on__isnull=True, deprecation_message=""),
                name="service_deprecation_shape",
            ),
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
