from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ActivitiesConfig(AppConfig):
    name = "activities"

    def ready(self):
        from activities import signals, triggers  # noqa: F401 (signals connects its receivers)

        post_migrate.connect(triggers.restore, sender=self)
