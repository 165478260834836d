from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "appointments"

    def ready(self):
        from appointments import (
            checks,  # noqa: F401  (registers the booking-policy checks)
            signals,
        )

        signals.connect()
