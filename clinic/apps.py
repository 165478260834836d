from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """The project package as an app, for its template tags and management commands."""

    name = "clinic"
