"""Events recorded before the activity log named people by full name carry
the username instead: they read as the newer ones do (issue #17, item 13).

Only an event whose recorded name is still its author's username changes,
and only to that author's full name; a deleted account's events keep the
name they were recorded with. One UPDATE per person who has a full name."""

from django.conf import settings
from django.db import migrations


def name_people(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    ActivityEvent = apps.get_model("console", "ActivityEvent")
    named = User.objects.exclude(first_name="", last_name="").only(
        "username", "first_name", "last_name"
    )
    for user in named.iterator():
        # As console.people.display_name (a migration cannot import it: a
        # historical model has none of the User class's methods).
        full_name = f"{user.first_name} {user.last_name}".strip()
        if full_name:
            ActivityEvent.objects.filter(actor_id=user.pk, actor_name=user.username).update(
                actor_name=full_name[:200]
            )


class Migration(migrations.Migration):
    dependencies = [
        ("console", "0005_activity_label_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # Back, the names stay: a full name is as true of the older schema.
    operations = [migrations.RunPython(name_people, migrations.RunPython.noop)]
