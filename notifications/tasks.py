"""Background tasks (Django Tasks): send one ledger row. The row, not the task, is the record."""

from django.tasks import task

from notifications import services


@task
def send_message(message_id: int) -> str:
    """Send ledger row `message_id` if it is still due and valid; returns the row's state."""
    return services.message_send(message_id=message_id)
