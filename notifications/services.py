"""Plan, re-plan, cancel and send patient messages; take visit feedback; refresh doctors' figures.

The planning functions run inside the appointment service's transaction, so the ledger and the
appointment change commit or roll back together. Nothing is sent inside that transaction: rows due
now are handed to the task backend after commit, later ones when they fall due (deferred task or
the `send_due_messages` sweep). The task re-reads the row and the appointment before sending.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.models import Appointment, AppointmentStatus
from clinic import versions
from doctors.models import Doctor
from notifications.models import Feedback, Message, MessageKind, MessageState

logger = logging.getLogger(__name__)

# A row left in "sending" this long (its worker died mid-send) is tried again by the sweep.
STALE_SENDING = timedelta(minutes=15)


# Planning ---------------------------------------------------------------------------------------


def _plan(*, appointment: Appointment, kind: str, due_at: datetime, recipient: str = "") -> Message:
    message = Message(
        appointment=appointment,
        kind=kind,
        due_at=due_at,
        planned_for=appointment.starts_at,
        recipient=recipient,
    )
    message.full_clean()
    message.save()
    due, message_id = message.due_at, message.pk
    transaction.on_commit(lambda: dispatch(message_id=message_id, due_at=due), robust=True)
    return message


def _cancel_pending(*, appointment: Appointment, reason: str, kinds=None, now: datetime) -> int:
    pending = Message.objects.filter(appointment=appointment, state=MessageState.PENDING)
    if kinds is not None:
        pending = pending.filter(kind__in=kinds)
    return pending.update(state=MessageState.CANCELLED, last_error=reason, updated_at=now)


def _plan_reminder(*, appointment: Appointment, now: datetime) -> Message | None:
    due_at = appointment.starts_at - settings.NOTIFY_REMINDER_LEAD
    if due_at <= now:  # booked or moved inside the lead time: the confirmation is the reminder
        return None
    return _plan(appointment=appointment, kind=MessageKind.REMINDER, due_at=due_at)


@transaction.atomic
def messages_plan_booking(*, appointment: Appointment, now: datetime | None = None) -> list[Message]:
    """A new booking: the confirmation now, the reminder at the lead time before the visit."""
    if not appointment.patient_email:
        return []
    now = now or timezone.now()
    planned = [_plan(appointment=appointment, kind=MessageKind.CONFIRMATION, due_at=now)]
    reminder = _plan_reminder(appointment=appointment, now=now)
    return planned + ([reminder] if reminder else [])


@transaction.atomic
def messages_replan(*, appointment: Appointment, now: datetime | None = None) -> list[Message]:
    """A moved visit: what was planned for the old time is cancelled; a "changed" email and a new reminder."""
    now = now or timezone.now()
    _cancel_pending(
        appointment=appointment,
        reason=_("Appointment moved"),
        kinds=[MessageKind.CONFIRMATION, MessageKind.REMINDER, MessageKind.CHANGED],
        now=now,
    )
    if not appointment.patient_email:
        return []
    planned = [_plan(appointment=appointment, kind=MessageKind.CHANGED, due_at=now)]
    reminder = _plan_reminder(appointment=appointment, now=now)
    return planned + ([reminder] if reminder else [])


@transaction.atomic
def messages_plan_cancellation(*, appointment: Appointment, now: datetime | None = None) -> Message | None:
    """A cancelled visit: every pending message is cancelled, and the patient is told."""
    now = now or timezone.now()
    _cancel_pending(appointment=appointment, reason=_("Appointment cancelled"), now=now)
    if not appointment.patient_email:
        return None
    return _plan(appointment=appointment, kind=MessageKind.CANCELLED, due_at=now)


@transaction.atomic
def messages_plan_feedback(*, appointment: Appointment, now: datetime | None = None) -> Message | None:
    """A completed visit: plan the "Would you recommend…?" email, once per visit."""
    if appointment.status != AppointmentStatus.COMPLETED:
        raise ValidationError(_("Feedback is asked only after a completed visit."), code="not_completed")
    already = (
        Message.objects.filter(appointment=appointment, kind=MessageKind.FEEDBACK_REQUEST)
        .exclude(state=MessageState.CANCELLED)
        .exists()
    )
    if not appointment.patient_email or already or Feedback.objects.filter(appointment=appointment).exists():
        return None
    now = now or timezone.now()
    due_at = max(now, appointment.ends_at) + settings.FEEDBACK_REQUEST_DELAY
    return _plan(appointment=appointment, kind=MessageKind.FEEDBACK_REQUEST, due_at=due_at)


@transaction.atomic
def messages_plan_link(*, appointment: Appointment, now: datetime | None = None) -> Message | None:
    """Email the visit's private manage link to the address on file, now (SPEC 3.3: proof of possession).

    Call with the appointment row locked (the callers in appointments.services do). Nothing is planned
    without an email address, or when a link email for this visit is pending or was planned less than
    NOTIFY_LINK_INTERVAL ago: whoever asks cannot flood a patient's inbox. The caller never learns which.
    """
    if not appointment.patient_email:
        return None
    now = now or timezone.now()
    recent = Message.objects.filter(appointment=appointment, kind=MessageKind.LINK).filter(
        Q(state=MessageState.PENDING) | Q(created_at__gt=now - settings.NOTIFY_LINK_INTERVAL)
    )
    if recent.exists():
        return None
    return _plan(appointment=appointment, kind=MessageKind.LINK, due_at=now)


@transaction.atomic
def message_plan_now(*, appointment: Appointment, kind: str, now: datetime | None = None) -> Message:
    """Plan one message of `kind` for `appointment`, due now (a staff request such as "send the booking
    link again"). Call inside the caller's transaction with the appointment row locked; the row is
    handed to the task backend after commit. Raises ValidationError if one of that kind is pending."""
    return _plan(appointment=appointment, kind=kind, due_at=now or timezone.now())


@transaction.atomic
def messages_plan_visit_list(
    *, anchor: Appointment, visit_ids: list[int], email: str, now: datetime | None = None
) -> Message | None:
    """ "My appointments": email `email` the link to the list of its visits, now (issue 15 item 4).

    The row hangs off `anchor` (one of the visits, locked by the caller) and keeps the address in
    `recipient`. Nothing is planned when a list email for any of `visit_ids` is pending or was planned
    less than NOTIFY_LINK_INTERVAL ago, so whoever types an address cannot flood its inbox.
    """
    now = now or timezone.now()
    recent = Message.objects.filter(appointment_id__in=visit_ids, kind=MessageKind.VISIT_LIST).filter(
        Q(state=MessageState.PENDING) | Q(created_at__gt=now - settings.NOTIFY_LINK_INTERVAL)
    )
    if recent.exists():
        return None
    return _plan(appointment=anchor, kind=MessageKind.VISIT_LIST, due_at=now, recipient=email)


@transaction.atomic
def messages_status_changed(
    *, appointment: Appointment, old_status: str, now: datetime | None = None
) -> None:
    """Call from the staff status workflow, inside its transaction, after the new status is saved.

    Completed plans the feedback request and counts the visit; cancelled tells the patient;
    no-show (or any other way out of an active status) cancels what is pending. Correcting a
    completed visit to something else withdraws its feedback request and its figures.
    """
    new_status = appointment.status
    if new_status == old_status:
        return
    now = now or timezone.now()
    if new_status == AppointmentStatus.COMPLETED:
        _cancel_pending(
            appointment=appointment,
            reason=_("Visit completed"),
            kinds=[MessageKind.CONFIRMATION, MessageKind.REMINDER, MessageKind.CHANGED],
            now=now,
        )
        messages_plan_feedback(appointment=appointment, now=now)
    elif new_status == AppointmentStatus.CANCELLED:
        messages_plan_cancellation(appointment=appointment, now=now)
    elif new_status not in {
        AppointmentStatus.BOOKED,
        AppointmentStatus.CONFIRMED,
        AppointmentStatus.CHECKED_IN,
    }:
        _cancel_pending(appointment=appointment, reason=appointment.get_status_display(), now=now)
    if old_status == AppointmentStatus.COMPLETED:  # a completion undone: no feedback question for it
        _cancel_pending(
            appointment=appointment,
            reason=_("Completion undone"),
            kinds=[MessageKind.FEEDBACK_REQUEST],
            now=now,
        )
    if AppointmentStatus.COMPLETED in {new_status, old_status}:
        doctor_figures_refresh(doctor_id=appointment.doctor_id)


# Sending ----------------------------------------------------------------------------------------


def dispatch(*, message_id: int, due_at: datetime) -> None:
    """Hand one row to the task backend: at once if due, deferred if the backend can, else to the sweep."""
    from notifications.tasks import send_message  # tasks imports this module

    if due_at <= timezone.now():
        send_message.enqueue(message_id)
    elif send_message.get_backend().supports_defer:
        send_message.using(run_after=due_at).enqueue(message_id)


def stale_reason(message: Message, appointment: Appointment, now: datetime) -> str:
    """Why this message must not go out any more ("" when it still should)."""
    if not appointment.patient_email:
        return _("No email address")
    if message.kind == MessageKind.CANCELLED:
        return "" if appointment.status == AppointmentStatus.CANCELLED else _("Appointment is not cancelled")
    if message.kind == MessageKind.VISIT_LIST:
        if appointment.patient_email.casefold() != message.recipient.casefold():
            return _("The email address has changed")
        return ""
    if message.kind in (MessageKind.LINK, MessageKind.DESK_LINK):
        if appointment.ends_at + timedelta(days=settings.MANAGE_LINK_DAYS) < now:
            return _("The link has expired")
        return ""
    if message.kind == MessageKind.FEEDBACK_REQUEST:
        if appointment.status != AppointmentStatus.COMPLETED:
            return _("Visit is %(status)s") % {"status": appointment.get_status_display().lower()}
        return ""
    if not appointment.is_active:
        return _("Appointment is %(status)s") % {"status": appointment.get_status_display().lower()}
    if message.planned_for != appointment.starts_at:
        return _("Appointment was moved")
    if message.kind == MessageKind.REMINDER and appointment.starts_at <= now:
        return _("Visit has started")
    return ""


def _claim(*, message_id: int, now: datetime) -> tuple[Message, Appointment] | None:
    """Lock the appointment, then the row (the order the appointment services use), check, and claim.

    A cancel or reschedule either commits first (then this sees it and sends nothing) or waits
    until the row is claimed; pending → sending is conditional, so two workers never both send.
    """
    appointment_id = Message.objects.filter(pk=message_id).values_list("appointment_id", flat=True).first()
    if appointment_id is None:
        return None
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("doctor__specialty", "location")
            .get(pk=appointment_id)
        )
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.state != MessageState.PENDING or message.due_at > now:
            return None
        reason = stale_reason(message, appointment, now)
        if reason:
            message.state = MessageState.CANCELLED
            message.last_error = reason
            message.save(update_fields=["state", "last_error", "updated_at"])
            return None
        claimed = Message.objects.filter(pk=message_id, state=MessageState.PENDING).update(
            state=MessageState.SENDING, attempts=message.attempts + 1, updated_at=now
        )
        if not claimed:  # pragma: no cover - the row lock above makes this a belt to the braces
            return None
        message.state = MessageState.SENDING
        message.attempts += 1
    return message, appointment


def message_send(*, message_id: int, now: datetime | None = None) -> str:
    """Send one ledger row if it is still due and valid; record the outcome. Never raises for mail errors."""
    from notifications import emails

    now = now or timezone.now()
    if Message.objects.filter(pk=message_id, offer__isnull=False).exists():
        from waitlist.services import offer_message_send  # waitlist plans its rows here; sends its own

        return offer_message_send(message_id=message_id, now=now)
    claimed = _claim(message_id=message_id, now=now)
    if claimed is None:
        return Message.objects.filter(pk=message_id).values_list("state", flat=True).first() or ""
    message, appointment = claimed
    try:
        emails.build(message=message, appointment=appointment).send()
    except Exception as error:  # SMTP, network, template: all are the mail's problem, not the booking's
        return _record_failure(message=message, error=error, now=now)
    Message.objects.filter(pk=message.pk, state=MessageState.SENDING).update(
        state=MessageState.SENT,
        sent_at=timezone.now(),
        recipient=appointment.patient_email,
        last_error="",
        updated_at=timezone.now(),
    )
    return MessageState.SENT


def retry_delay(attempts: int):
    """Back-off after the given number of failed attempts: the base delay, doubling each time."""
    return settings.NOTIFY_RETRY_DELAY * 2 ** max(attempts - 1, 0)


def _record_failure(*, message: Message, error: Exception, now: datetime) -> str:
    text = f"{type(error).__name__}: {error}"[:1000]
    if message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        state, due_at = MessageState.FAILED, message.due_at
    else:
        state, due_at = MessageState.PENDING, now + retry_delay(message.attempts)
    Message.objects.filter(pk=message.pk, state=MessageState.SENDING).update(
        state=state, due_at=due_at, last_error=text, updated_at=timezone.now()
    )
    # The error class only: SMTP errors can quote the patient's address, which stays out of logs.
    logger.warning(
        "Message %s (%s) attempt %s failed with %s; now %s",
        message.pk,
        message.kind,
        message.attempts,
        type(error).__name__,
        state,
    )
    if state == MessageState.PENDING:
        dispatch(message_id=message.pk, due_at=due_at)
    return state


def messages_send_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """The sweep: hand every due pending row to the task backend. Safe to run often and in parallel."""
    from notifications.tasks import send_message

    now = now or timezone.now()
    Message.objects.filter(state=MessageState.SENDING, updated_at__lt=now - STALE_SENDING).update(
        state=MessageState.PENDING, last_error=_("Interrupted while sending"), updated_at=now
    )
    due = list(Message.objects.due(now).order_by("due_at").values_list("pk", flat=True)[:limit])
    for message_id in due:
        send_message.enqueue(message_id)
    return len(due)


@transaction.atomic
def message_retry(*, message: Message, now: datetime | None = None) -> bool:
    """Staff: try a failed message again from scratch (if no other of its kind is pending)."""
    now = now or timezone.now()
    if message.state != MessageState.FAILED or message.offer_id is not None:
        return False  # a waitlist offer lasts minutes: it passes to the next waiter instead
    if Message.objects.filter(appointment_id=message.appointment_id, kind=message.kind).pending().exists():
        return False
    Message.objects.filter(pk=message.pk).update(
        state=MessageState.PENDING, attempts=0, due_at=now, updated_at=now
    )
    transaction.on_commit(lambda: dispatch(message_id=message.pk, due_at=now), robust=True)
    return True


# Feedback and figures ---------------------------------------------------------------------------


class FeedbackRefused(ValidationError):
    """The link is genuine but this visit cannot take an answer (code says why)."""


def feedback_refusal(appointment: Appointment, now: datetime | None = None) -> str:
    """ "" when the visit may be answered; else "answered", "expired", "cancelled", "no_show" or "not_completed"."""
    now = now or timezone.now()
    if appointment.status == AppointmentStatus.CANCELLED:
        return "cancelled"
    if appointment.status == AppointmentStatus.NO_SHOW:
        return "no_show"
    if appointment.status != AppointmentStatus.COMPLETED or appointment.starts_at > now:
        return "not_completed"
    if Feedback.objects.filter(appointment=appointment).exists():
        return "answered"
    if appointment.ends_at + timedelta(days=settings.FEEDBACK_LINK_DAYS) < now:
        return "expired"
    return ""


@transaction.atomic
def feedback_submit(
    *, appointment: Appointment, would_recommend: bool, comment: str = "", now: datetime | None = None
) -> Feedback:
    """Record the one answer of a completed visit and refresh its doctor's figures."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    refusal = feedback_refusal(appointment, now)
    if refusal:
        raise FeedbackRefused(_("This visit cannot take an answer."), code=refusal)
    # Lock the doctor so concurrent answers recount one after another and none is lost.
    list(Doctor.objects.select_for_update().filter(pk=appointment.doctor_id).values_list("pk"))
    feedback = Feedback(appointment=appointment, would_recommend=would_recommend, comment=comment.strip())
    try:
        feedback.full_clean()
        with transaction.atomic():
            feedback.save()
    except (ValidationError, IntegrityError) as error:
        if Feedback.objects.filter(appointment=appointment).exists():
            raise FeedbackRefused(_("This visit has been answered."), code="answered") from error
        raise
    doctor_figures_refresh(doctor_id=appointment.doctor_id)
    return feedback


def doctor_figures_refresh(*, doctor_id: int) -> None:
    """Recount a doctor's verified answers and completed visits into the stored aggregate (3 queries)."""
    counts = Feedback.objects.filter(
        appointment__doctor_id=doctor_id, appointment__status=AppointmentStatus.COMPLETED
    ).aggregate(answers=Count("pk"), yes=Count("pk", filter=Q(would_recommend=True)))
    visits = Appointment.objects.filter(doctor_id=doctor_id, status=AppointmentStatus.COMPLETED).count()
    Doctor.objects.filter(pk=doctor_id).update(
        recommend_answers=counts["answers"], recommend_yes=counts["yes"], completed_visits=visits
    )
    versions.bump_content()  # the cards' recommendation line (a bulk update sends no signal)


def doctor_figures_refresh_all() -> int:
    """Recount every doctor at once (demo and bulk imports): two grouped queries and a bulk update."""
    answers = {
        row["appointment__doctor_id"]: row
        for row in Feedback.objects.filter(appointment__status=AppointmentStatus.COMPLETED)
        .order_by()
        .values("appointment__doctor_id")
        .annotate(answers=Count("pk"), yes=Count("pk", filter=Q(would_recommend=True)))
    }
    visits = dict(
        Appointment.objects.filter(status=AppointmentStatus.COMPLETED)
        .order_by()
        .values("doctor_id")
        .annotate(count=Count("pk"))
        .values_list("doctor_id", "count")
    )
    doctors = list(Doctor.objects.only("pk"))
    for doctor in doctors:
        counts = answers.get(doctor.pk, {"answers": 0, "yes": 0})
        doctor.recommend_answers, doctor.recommend_yes = counts["answers"], counts["yes"]
        doctor.completed_visits = visits.get(doctor.pk, 0)
    Doctor.objects.bulk_update(
        doctors, ["recommend_answers", "recommend_yes", "completed_visits"], batch_size=500
    )
    versions.bump_content()
    return len(doctors)
