"""Store what a service page shows of its documentation (issue #11): the
sanitized HTML of the overview and a bounded summary of the API definition,
so that a view never renders Markdown or parses a definition. Existing rows
are filled with the same bounded code every write now uses."""

from __future__ import annotations

from django.db import migrations, models

from marketplace.documentation import documentation_fields

BATCH = 500


def drop_triggers(apps, schema_editor):
    # SQLite rebuilds marketplace_service to add a NOT NULL column, which
    # fails while a trigger elsewhere names the table (and drops its own).
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


def fill(apps, schema_editor):
    Service = apps.get_model("marketplace", "Service")
    changed = []
    rows = Service.objects.only("overview", "api_definition", "definition_format").order_by("pk")
    for service in rows.iterator(chunk_size=BATCH):
        fields = documentation_fields(
            overview=service.overview,
            api_definition=service.api_definition,
            definition_format=service.definition_format,
        )
        service.overview_html = fields["overview_html"]
        service.definition_summary = fields["definition_summary"]
        changed.append(service)
        if len(changed) == BATCH:
            Service.objects.bulk_update(changed, ["overview_html", "definition_summary"])
            changed = []
    Service.objects.bulk_update(changed, ["overview_html", "definition_summary"])


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0004_catalog_version"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, install_triggers),
        migrations.AddField(
            model_name="service",
            name="overview_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="service",
            name="definition_summary",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.AlterField(
            model_name="service",
            name="overview",
            field=models.TextField(blank=True, help_text="Markdown.", max_length=20000),
        ),
        migrations.AlterField(
            model_name="service",
            name="api_definition",
            field=models.TextField(blank=True, max_length=1048576),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
