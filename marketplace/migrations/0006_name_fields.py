"""Names become console.names.NameField (issue #11): NFKC-normalized, refusing
invisible characters. Validation only, so the state alone changes: the columns
stay as they are (on SQLite an AlterField would rebuild the tables, and drop
the triggers the marketplace keeps on them)."""

from __future__ import annotations

from django.db import migrations

import console.names


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0005_service_stored_documentation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="endpoint",
                    name="name",
                    field=console.names.NameField(max_length=60),
                ),
                migrations.AlterField(
                    model_name="service",
                    name="name",
                    field=console.names.NameField(max_length=120),
                ),
                migrations.AlterField(
                    model_name="serviceparameter",
                    name="name",
                    field=console.names.NameField(
                        help_text="Letters, digits and underscores; becomes an environment variable key.",
                        max_length=60,
                    ),
                ),
            ],
        ),
    ]
