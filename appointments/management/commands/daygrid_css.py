"""Write static/css/daygrid.css, the time grid's placement classes, from appointments.daygrid."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from appointments.daygrid import stylesheet

TARGET = Path(settings.BASE_DIR) / "static" / "css" / "daygrid.css"


class Command(BaseCommand):
    help = "Regenerate static/css/daygrid.css (run after changing ROW_MINUTES or MAX_ROWS in appointments.daygrid)."

    def handle(self, *args, **options):
        TARGET.write_text(stylesheet(), encoding="utf-8")
        self.stdout.write(f"Wrote {TARGET}")
