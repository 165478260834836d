"""The minute sweep: hand every due pending message (reminders, feedback requests, retries) to the task
backend, and recompute the stored next free slots that the clock has made stale.

Each pass first lets the waitlist pass expired offers on and offer times freed without a service call
(time off removed, hours added), then deletes expired slot holds (issue 15).
"""

import time

from django.core.management.base import BaseCommand

from appointments import nextfree
from appointments.holds import holds_sweep
from notifications.services import messages_send_due
from waitlist.services import waitlist_sweep


class Command(BaseCommand):
    help = (
        "Send (immediate backend) or enqueue (database backend) every pending message that is due. "
        "Run it every minute from cron, or with --every 60 as a long-running process."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=float, default=0, help="Repeat every N seconds until stopped (default: run once)."
        )

    def handle(self, *args, every, **options):
        while True:
            offers = waitlist_sweep()
            holds_sweep()
            count = messages_send_due()
            # Slots pass with the clock: the stored next free slots that go stale now are recomputed.
            nextfree.sweep()
            if offers and options["verbosity"]:
                self.stdout.write(f"Waitlist offers made: {offers}")
            if options["verbosity"] > 1 or (count and options["verbosity"]):
                self.stdout.write(f"Due messages handed on: {count}")
            if not every:
                return
            time.sleep(every)
