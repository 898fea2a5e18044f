from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class DeliveryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "delivery"
    verbose_name = "Delivery"

    def ready(self) -> None:
        # The delivery version's triggers (delivery/version.py) sit on the
        # tables of every lower app and name them in their bodies. On SQLite
        # a migration that rebuilds one of those tables fails while such a
        # trigger exists, and a lower app's migration cannot import delivery
        # to drop them first. So they come off before any migration runs
        # and go back on after the last, as Django's own apps set up their
        # rows after migrate. The only signals the project uses: they are
        # about the schema, not about a write.
        from . import version

        pre_migrate.connect(version.before_migrate, sender=self)
        post_migrate.connect(version.after_migrate, sender=self)
