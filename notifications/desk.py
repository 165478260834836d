"""Messages that need the front desk: failed ones, and ones overdue (pending well past their due time,
or stuck "sending" after a worker died). Issue 11 item 6, SPEC 3.4 ("Failed sends are visible to
staff") and 3.5 ("Failed or overdue messages listed for the front desk, with retry")."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic.wallclock import wall_clock
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

    A failed, overdue pending or stuck sending row is made due now; its attempt count is kept, so a failed
    row that fails again is failed at once (one manual try, no new series of automatic ones).
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
    # The attempt counter is kept (issue 12 finding 6): the list shows every try, the receptionist's
    # included. A failed row is past NOTIFY_MAX_ATTEMPTS, so a retry is one more try, not a new series.
    Message.objects.filter(pk=message.pk).update(state=MessageState.PENDING, due_at=now, updated_at=now)
    message_id = message.pk
    transaction.on_commit(lambda: dispatch(message_id=message_id, due_at=now), robust=True)
    message.refresh_from_db()
    return message


# What a mail error means, in the receptionist's words (issue 12 finding 6). Matched against the stored
# "ErrorClass: text" (notifications.services._record_failure) or a reason the ledger wrote itself;
# first match wins. The raw text stays available under "Details".
PLAIN_ERRORS = [
    (
        ("SMTPAuthenticationError", "authentication", "Username and Password not accepted"),
        gettext_lazy(
            "The mail server did not accept the clinic's mail login. Ask whoever runs the mail "
            "settings to check the username and password."
        ),
    ),
    (
        ("SMTPRecipientsRefused", "Recipient address rejected", "User unknown", "mailbox unavailable"),
        gettext_lazy("The mail server refused the patient's email address. Check it on the appointment."),
    ),
    (
        ("SMTPSenderRefused",),
        gettext_lazy(
            "The mail server refused the clinic's sender address. Ask whoever runs the mail settings."
        ),
    ),
    (
        ("ConnectionRefusedError", "Connection refused"),
        gettext_lazy(
            "The mail server could not be reached (it refused the connection: it may be down). "
            "Try again later."
        ),
    ),
    (
        ("TimeoutError", "timed out", "timeout"),
        gettext_lazy("The mail server did not answer in time. Try again later."),
    ),
    (
        ("gaierror", "Name or service not known", "nodename nor servname", "getaddrinfo"),
        gettext_lazy("The mail server's address could not be found. Ask whoever runs the mail settings."),
    ),
    (
        ("SSLError", "SSL", "certificate"),
        gettext_lazy(
            "A secure connection to the mail server could not be made. Ask whoever runs the mail settings."
        ),
    ),
    (
        ("SMTPServerDisconnected", "Connection unexpectedly closed", "ConnectionResetError"),
        gettext_lazy("The mail server hung up while the email was being sent. Try again later."),
    ),
]


def plain_error(error: str) -> str:
    """`error` (Message.last_error: "ConnectionRefusedError: [Errno 111] Connection refused", or a
    reason the ledger wrote in words) as one plain sentence for the front desk. In and out: str; ""
    for ""; an unknown error says so (the raw text is shown beside it). Never raises."""
    if not error:
        return ""
    folded = error.casefold()
    for needles, sentence in PLAIN_ERRORS:
        if any(needle.casefold() in folded for needle in needles):
            return str(sentence)
    if ":" not in error.split(" ", 1)[0]:  # written by the ledger itself ("Visit is cancelled")
        return error
    return _("The email could not be sent for a reason we do not recognise; the details are below.")


def retry_outcome(message: Message) -> tuple[str, str]:
    """What became of a retried row, read back after its transaction committed: ("success", text) when
    sent, ("error", text with the plain error) when it failed again or was withdrawn, ("info", text)
    when it waits for the task worker. In: the Message (reloaded here). Out: (message level name, str)."""
    message.refresh_from_db()
    if message.state == MessageState.SENT:
        return "success", _("Sent: the email went to %(email)s.") % {"email": message.recipient}
    if message.state == MessageState.FAILED:
        return "error", _("Failed again: %(error)s") % {"error": plain_error(message.last_error)}
    if message.state == MessageState.CANCELLED:
        return "error", _("Not sent: %(error)s") % {"error": plain_error(message.last_error)}
    if message.state == MessageState.PENDING and message.last_error and message.due_at > timezone.now():
        return "error", _("That try failed too: %(error)s It will be tried again at %(when)s.") % {
            "error": plain_error(message.last_error),
            "when": wall_clock(message.due_at, message.appointment.location).format("time"),
        }
    return "info", _(
        "Queued: the email goes out as soon as the mail worker picks it up (usually within a minute). "
        "It leaves this list once it is sent."
    )
