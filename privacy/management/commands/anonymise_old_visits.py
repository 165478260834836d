"""The retention sweep: anonymise visits that ended more than PATIENT_RETENTION_DAYS ago.

Run it nightly (cron `30 2 * * *`, or `--every 86400` under a process manager; `make worker` does the
latter). `--dry-run` lists what would go, by reference only: the output may land in logs.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from clinic.wallclock import wall_clock
from privacy.services import retention_preview, retention_sweep


class Command(BaseCommand):
    help = (
        "Remove the patient fields (name, mobile, email, reason, notes, feedback comment, messages and their "
        "task results) of visits that ended more than PATIENT_RETENTION_DAYS ago; appointments, their "
        "status history and the figures stay. --dry-run shows what would go and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be removed; change nothing."
        )
        parser.add_argument(
            "--every", type=float, default=0, help="Repeat every N seconds until stopped (default: run once)."
        )

    def handle(self, *args, dry_run, every, **options):
        if dry_run:
            self._preview()
            return
        while True:
            removed = retention_sweep()
            if removed.references or options["verbosity"] > 1:
                self.stdout.write(
                    f"Anonymised {len(removed.references)} visit(s); removed {removed.messages} message(s), "
                    f"{removed.task_results} task result(s), {removed.feedback_comments} feedback comment(s), "
                    f"{removed.history_notes} history note(s)."
                )
            if not every:
                return
            time.sleep(every)

    def _preview(self):
        preview = retention_preview()
        # The cutoff is one instant for every location: shown in the clinic's home zone.
        cutoff = wall_clock(preview.cutoff, settings.TIME_ZONE).format("numeric")
        self.stdout.write(f"Dry run: visits that ended before {cutoff}.")
        for visit in preview.visits:
            self.stdout.write(f"  {visit['reference']}  ended {visit['ended']}  {visit['status']}")
        self.stdout.write(
            f"Would anonymise {len(preview.visits)} visit(s) and remove {preview.messages} message(s), "
            f"{preview.task_results} task result(s) and {preview.feedback_comments} feedback comment(s); "
            f"would close {preview.requests} request(s) older than the window. Nothing was changed."
        )
