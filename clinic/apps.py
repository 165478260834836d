from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """The project package as an app, for its template tags, management commands and cache versions."""

    name = "clinic"

    def ready(self):
        from clinic import signals

        signals.connect()
