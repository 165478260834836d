"""Messages that need the front desk: failed ones, and ones overdue (pending well past their due time,
or stuck "sending" after a worker died). Issue 11 item 6, SPEC 3.4 ("Failed sends are visible to
staff") and 3.5 ("Failed or overdue messages listed for the front desk, with retry")."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Message, MessageState
from notifications.services import STALE_SENDING, dispatch


def needing_attention(messages: QuerySet, now: datetime) -> QuerySet:
    """The rows of `messages` someone should look at: failed; pending and more than
    NOTIFY_OVERDUE_AFTER past due (the worker is down or behind); sending for longer than STALE_SENDING.
    `now` is an aware datetime. Cancelled and sent rows never need attention."""
    return messages.filter(
        Q(state=MessageState.FAILED)
        | Q(state=MessageState.PENDING, due_at__lt=now - settings.NOTIFY_OVERDUE_AFTER)
        | Q(state=MessageState.SENDING, updated_at__lt=now - STALE_SENDING)
    )


class RetryRefused(Exception):
    """The message does not need a retry (sent, cancelled, or not overdue yet); str() says why."""


@transaction.atomic
def message_retry_now(*, message: Message, now: datetime | None = None) -> Message:
    """Staff: try one message again now, through the ledger.

    A failed row starts over (attempts reset); an overdue pending or stuck sending row is made due now.
    The row goes back to "pending" and is handed to the task backend after commit, which re-checks it
    (a visit cancelled meanwhile gets no email). Raises RetryRefused when the row is not (any more) one
    that needs attention, or another message of its kind is already waiting for the same visit.
    """
    now = now or timezone.now()
    message = Message.objects.select_for_update().get(pk=message.pk)
    if not needing_attention(Message.objects.filter(pk=message.pk), now).exists():
        raise RetryRefused(
            _("This message does not need a retry any more (%(state)s).")
            % {"state": message.get_state_display().lower()}
        )
    others = Message.objects.filter(
        appointment_id=message.appointment_id,
        kind=message.kind,
        channel=message.channel,
        state=MessageState.PENDING,
    ).exclude(pk=message.pk)
    if others.exists():
        raise RetryRefused(_("Another message of this kind is already waiting to go for this visit."))
    fields = {"state": MessageState.PENDING, "due_at": now, "updated_at": now}
    if message.state == MessageState.FAILED:
        fields["attempts"] = 0
    Message.objects.filter(pk=message.pk).update(**fields)
    message_id = message.pk
    transaction.on_commit(lambda: dispatch(message_id=message_id, due_at=now), robust=True)
    message.refresh_from_db()
    return message
