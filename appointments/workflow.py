"""The front desk's forgiving workflow: undo a no-show or a completion, say what each button does, resend
a booking's link. Services here are keyword-only and run in one transaction each (STYLE.md §6).

Rules (SPEC 3.5, issue 12 item 3, docs/decisions.md "Front desk workflow that forgives"):
- a no-show or a completion can be undone while it is still the visit's day at its location, back to
  the status it came from, with a reason; the audit row records who, when, from, to and why;
- a no-show frees the time, so undoing one is refused when another patient has the time since;
- "Send the booking link again" plans a LINK message in the ledger (notifications), like every other
  message: sent by the task backend, retried, listed on the appointment's page.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appointments.models import Appointment, AppointmentStatus, StatusChange
from appointments.services import TRANSITIONS, TransitionRefused, _time_refusal, refuse_if_stale
from clinic.wallclock import wall_clock
from notifications import services as notify
from notifications.models import Message, MessageKind, MessageState

S = AppointmentStatus
UNDOABLE = frozenset({S.NO_SHOW, S.COMPLETED})
UNDO_REASON_MAX = 200
# Where an undo goes when the history does not say (a status set in the admin, an import, an old row):
# the status before it on the workflow's usual path. A no-show goes back to booked (not confirmed: we
# do not know it was ever confirmed; check-in is open from booked), a completion to checked in.
UNDO_FALLBACK = {S.NO_SHOW: S.BOOKED, S.COMPLETED: S.CHECKED_IN}

# What each status button does, in the receptionist's words (shown beside the buttons).
NEXT_STEP = {
    S.CONFIRMED: gettext_lazy("Confirm: the patient says they are coming."),
    S.CHECKED_IN: gettext_lazy("Check in: the patient is here."),
    S.COMPLETED: gettext_lazy("Complete: the visit is over; the feedback email is planned."),
    S.NO_SHOW: gettext_lazy("No-show: the patient did not come; the time is freed. Can be undone today."),
    S.CANCELLED: gettext_lazy("Cancel: the time is freed and the patient is told."),
}


class UndoRefused(ValidationError):
    """The undo cannot be done (code: "not_undoable", "too_late", "reason_required", "slot_taken",
    "stale")."""


def undo_open(appointment: Appointment, now: datetime) -> bool:
    """True when `appointment` (location loaded) is a no-show or completed and it is still its day.

    "The same day" is the visit's local date at its location (no query needed, so every card on the
    day schedule can show the undo at a fixed query count). `now` is an aware datetime. This is the
    service's own test (appointment_status_undo refuses exactly when this is False, besides a missing
    reason, a stale page and a time taken since), so the button is shown only when the undo can work.
    """
    if appointment.status not in UNDOABLE:
        return False
    zone = appointment.location.zone
    return appointment.starts_at.astimezone(zone).date() == now.astimezone(zone).date()


def complete_waits(appointment: Appointment, now: datetime) -> str:
    """Why "Complete" is not offered yet to a checked-in patient ("A visit cannot be completed before it
    starts (15:40 IST)."), for the line under the status buttons; "" when it is offered or not next."""
    if S.COMPLETED not in TRANSITIONS[appointment.status]:
        return ""
    return _time_refusal(appointment, S.COMPLETED, now) or ""


def next_step_hints(transitions: list[str]) -> dict[str, str]:
    """Status -> one sentence saying what happens when it is chosen (NEXT_STEP), for the offered ones."""
    return {status: str(NEXT_STEP[status]) for status in transitions if status in NEXT_STEP}


@transaction.atomic
def appointment_status_undo(
    *, appointment: Appointment, by, reason: str, expected_status: str, now: datetime | None = None
) -> Appointment:
    """Take back a no-show or a completion: the appointment returns to the status it had before.

    In: the appointment, the staff user, a reason (required, printable text, at most 200 characters),
    `expected_status` (the status the undo button was shown for: the form's `from_status`), `now` aware
    (default: the current time). Out: the appointment, saved with its previous status (the `from` of
    the last audit row into the current one, else UNDO_FALLBACK) and an audit row (`undo=True`, note =
    reason). Raises UndoRefused when there is no reason, the status changed since the page was drawn
    ("stale": a stale "Undo no-show" must never undo a completion, issue 12 finding 1), the status is
    not undoable, the visit's day is over, or (undoing a no-show) another patient holds the time.
    Side effects through notifications.messages_status_changed in the same transaction: undoing a
    completion withdraws the pending feedback request and recounts the doctor's figures.
    """
    now = now or timezone.now()
    reason = " ".join((reason or "").split())
    if not reason:
        raise UndoRefused(_("Say why you are undoing this."), code="reason_required")
    appointment = Appointment.objects.select_for_update().select_related("location").get(pk=appointment.pk)
    current = appointment.status
    try:
        refuse_if_stale(appointment, expected_status or "")
    except TransitionRefused as stale:
        raise UndoRefused(stale.messages[0], code="stale") from stale
    if current not in UNDOABLE:
        raise UndoRefused(_("Only a no-show or a completed visit can be undone."), code="not_undoable")
    if not undo_open(appointment, now):
        raise UndoRefused(
            _("A no-show or a completion can only be undone on the day of the visit."), code="too_late"
        )
    came_from = (
        appointment.status_changes.filter(to_status=current)
        .exclude(from_status=F("to_status"))
        .exclude(from_status="")
        .order_by("-at", "-pk")
        .values_list("from_status", flat=True)
        .first()
    )
    if came_from is None:  # set outside the workflow (admin, import): the workflow's usual way back
        came_from = UNDO_FALLBACK[current]
    appointment.status = came_from
    taken = UndoRefused(
        _("Another patient has been booked at this time since, so the no-show cannot be undone."),
        code="slot_taken",
    )
    try:
        appointment.validate_constraints()
        with transaction.atomic():
            appointment.save(update_fields=["status", "updated_at"])
    except (ValidationError, IntegrityError) as error:
        raise taken from error
    change = StatusChange(
        appointment=appointment,
        from_status=current,
        to_status=came_from,
        by=by,
        at=now,
        note=reason[:UNDO_REASON_MAX],
        undo=True,
    )
    change.full_clean()
    change.save()
    notify.messages_status_changed(appointment=appointment, old_status=current, now=now)
    return appointment


class ResendRefused(ValidationError):
    """The link cannot be sent (code: "no_email", "expired", "pending", "too_soon")."""


# Staff resends of one visit's link: at most one per RESEND_INTERVAL (issue 12 finding 5: two clicks a
# second apart, or a receptionist clicking again while the first is still on its way, send one email).
RESEND_INTERVAL = timedelta(minutes=5)


@transaction.atomic
def appointment_link_resend(*, appointment: Appointment, by, now: datetime | None = None) -> Message:
    """Staff: email the booking's private manage link again to the address on file (issue 12 item 4).

    In: the appointment, the staff user, `now` aware. Out: the planned ledger row (kind DESK_LINK, due
    now: its email says the clinic's front desk sent it, not "someone asked on our website"), sent by the
    task backend after commit and retried like every message. The appointment's audit trail records who
    asked and when. Raises ResendRefused("no_email") without an email address, ResendRefused("expired")
    past MANAGE_LINK_DAYS, ResendRefused("pending") while an earlier one still waits to go, and
    ResendRefused("too_soon") within RESEND_INTERVAL of the last one, saying (on the location's wall
    clock) when it went and when another is possible. The appointment row is locked first, so two
    POSTs at once are serialised and the second is refused. Unlike the patients' "send me my link",
    staff are not held to NOTIFY_LINK_INTERVAL (the caller is on the line).
    """
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().select_related("location").get(pk=appointment.pk)
    if not appointment.patient_email:
        raise ResendRefused(
            _("There is no email address on this booking. Read the reference out instead, or add an email."),
            code="no_email",
        )
    if appointment.ends_at + timedelta(days=settings.MANAGE_LINK_DAYS) < now:
        raise ResendRefused(_("This booking's link has expired."), code="expired")
    desk_links = Message.objects.filter(appointment=appointment, kind=MessageKind.DESK_LINK)
    if desk_links.filter(state=MessageState.PENDING).exists():
        raise ResendRefused(_("A booking link email is already on its way."), code="pending")
    last = desk_links.order_by("-due_at", "-pk").values_list("due_at", flat=True).first()
    if last is not None and now < last + RESEND_INTERVAL:
        raise ResendRefused(
            _(
                "The booking link was last emailed at %(last)s. To avoid flooding the patient's inbox, "
                "another can be sent from %(next)s."
            )
            % {
                "last": wall_clock(last, appointment.location).format("time"),
                "next": wall_clock(last + RESEND_INTERVAL, appointment.location).format("time"),
            },
            code="too_soon",
        )
    message = notify.message_plan_now(appointment=appointment, kind=MessageKind.DESK_LINK, now=now)
    change = StatusChange(
        appointment=appointment,
        from_status=appointment.status,
        to_status=appointment.status,
        by=by,
        at=now,
        note=_("Booking link emailed again"),
    )
    change.full_clean()
    change.save()
    return message
