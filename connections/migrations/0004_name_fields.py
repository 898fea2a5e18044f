"""Names become console.names.NameField (issue #11): NFKC-normalized, refusing
invisible characters. Validation only, so the state alone changes: the columns
stay as they are (on SQLite an AlterField would rebuild the tables, and drop
the triggers the marketplace keeps on them)."""

from __future__ import annotations

from django.db import migrations

import console.names


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0003_used_by_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="connection",
                    name="name",
                    field=console.names.NameField(max_length=50),
                ),
            ],
        ),
    ]
