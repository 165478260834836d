"""Anonymisation (the retention sweep and erasure requests) and one patient's data requests: find,
log, close, erase. Every write is one transaction. Notice versions and consent are in `notices`.

Anonymising a visit keeps the appointment row, its status history (who, when, from, to), its
consent record and its feedback answer, so schedules, reports and doctors' recommendation figures
do not move; it removes the patient's name, mobile number, email, the name of whoever booked for
them, reason and cancellation reason, the free-text notes of its history, the feedback comment, its
messages and their task results.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from appointments.models import ACTIVE_STATUSES, Appointment, StatusChange
from clinic.wallclock import wall_clock
from notifications.models import Feedback, Message
from privacy.models import (
    ANONYMISED_NAME,
    Anonymisation,
    AnonymisationReason,
    Consent,
    DataRequest,
    EventAction,
    PrivacyEvent,
    RequestState,
)
from waitlist.models import WaitlistEntry

# The task that sends one message; its stored results carry the message id as their only argument.
SEND_MESSAGE_TASK = "notifications.tasks.send_message"
BATCH = 500


# Anonymisation ----------------------------------------------------------------------------------


@dataclass
class Removed:
    """What one anonymisation removed: counts, and the references of the visits it covered."""

    references: list[str] = field(default_factory=list)
    messages: int = 0
    task_results: int = 0
    feedback_comments: int = 0
    history_notes: int = 0
    waitlist_entries: int = 0

    def as_detail(self) -> dict:
        return {
            "visits": len(self.references),
            "references": self.references,
            "messages": self.messages,
            "task_results": self.task_results,
            "feedback_comments": self.feedback_comments,
            "history_notes": self.history_notes,
            "waitlist_entries": self.waitlist_entries,
        }

    def add(self, other: "Removed") -> None:
        self.references += other.references
        self.messages += other.messages
        self.task_results += other.task_results
        self.feedback_comments += other.feedback_comments
        self.history_notes += other.history_notes
        self.waitlist_entries += other.waitlist_entries


def _chunks(values: list, size: int = BATCH):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _task_results_of(message_ids: list[int]):
    return DBTaskResult.objects.filter(task_path=SEND_MESSAGE_TASK, args_kwargs__args__0__in=message_ids)


def _anonymise(
    appointment_ids: list[int], *, reason: str, now: datetime, request: DataRequest | None = None
) -> Removed:
    """Remove the patient fields of these visits and what hangs off them. Call inside a transaction,
    with the appointment rows locked."""
    removed = Removed()
    if not appointment_ids:
        return removed
    removed.references = list(
        Appointment.objects.filter(pk__in=appointment_ids)
        .order_by("starts_at", "pk")
        .values_list("reference", flat=True)
    )
    message_ids = list(
        Message.objects.filter(appointment_id__in=appointment_ids).values_list("pk", flat=True)
    )
    for chunk in _chunks(message_ids):
        removed.task_results += _task_results_of(chunk).delete()[0]
    removed.messages = Message.objects.filter(pk__in=message_ids).delete()[0] if message_ids else 0
    removed.feedback_comments = (
        Feedback.objects.filter(appointment_id__in=appointment_ids)
        .filter(~Q(comment="") | Q(comment_approved=True))
        .update(comment="", comment_approved=False)
    )
    removed.history_notes = (
        StatusChange.objects.filter(appointment_id__in=appointment_ids).exclude(note="").update(note="")
    )
    # A waitlist entry made from one of these visits holds the same patient's name, mobile and email:
    # it goes (its offers and their messages cascade).
    removed.waitlist_entries = _delete_entries(
        WaitlistEntry.objects.filter(appointment_id__in=appointment_ids)
    )
    Appointment.objects.filter(pk__in=appointment_ids).update(
        patient_name=ANONYMISED_NAME,
        patient_phone="",
        patient_email="",
        booker_name="",
        booker_relationship="",
        reason="",
        cancel_reason="",
        # A new key revokes the manage and feedback links (they are signed over it). One random key
        # for the batch: the links stay unforgeable because they are signed with the secret key.
        manage_key=secrets.token_urlsafe(24),
        updated_at=now,
    )
    Anonymisation.objects.bulk_create(
        [Anonymisation(appointment_id=pk, at=now, reason=reason, request=request) for pk in appointment_ids]
    )
    return removed


def _delete_entries(entries) -> int:
    """Delete these waitlist entries (a queryset) with their offers and the offers' messages; returns
    how many entries went."""
    return entries.delete()[1].get(WaitlistEntry._meta.label, 0)


def _lock(appointment_ids) -> list[int]:
    return list(
        Appointment.objects.select_for_update()
        .filter(pk__in=list(appointment_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# Retention --------------------------------------------------------------------------------------


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Visits that ended before this instant (aware UTC) are past the window (PATIENT_RETENTION_DAYS)."""
    return (now or timezone.now()) - timedelta(days=settings.PATIENT_RETENTION_DAYS)


def retention_due(*, now: datetime | None = None):
    """Visits past the retention window whose patient fields are still there, oldest first."""
    return Appointment.objects.filter(ends_at__lt=retention_cutoff(now), anonymisation__isnull=True).order_by(
        "ends_at", "pk"
    )


@dataclass
class RetentionPreview:
    """What the sweep would remove now (the dry run): one line per visit, and the totals."""

    cutoff: datetime
    visits: list[dict]
    messages: int
    task_results: int
    feedback_comments: int
    requests: int


def retention_preview(*, now: datetime | None = None) -> RetentionPreview:
    """The dry run: what `retention_sweep` would remove at `now`, read in a fixed number of queries."""
    now = now or timezone.now()
    due = retention_due(now=now).select_related("location")
    visits = [
        {
            "pk": visit.pk,
            "reference": visit.reference,
            "ended": wall_clock(visit.ends_at, visit).format("numeric"),
            "status": visit.get_status_display(),
        }
        for visit in due
    ]
    ids = [visit["pk"] for visit in visits]
    message_ids = []
    comments = 0
    for chunk in _chunks(ids):
        message_ids += list(Message.objects.filter(appointment_id__in=chunk).values_list("pk", flat=True))
        comments += Feedback.objects.filter(appointment_id__in=chunk).exclude(comment="").count()
    task_results = sum(_task_results_of(chunk).count() for chunk in _chunks(message_ids))
    return RetentionPreview(
        cutoff=retention_cutoff(now),
        visits=visits,
        messages=len(message_ids),
        task_results=task_results,
        feedback_comments=comments,
        requests=_requests_past_window(now).count(),
    )


def _requests_past_window(now: datetime):
    return DataRequest.objects.filter(state=RequestState.OPEN, opened_at__lt=retention_cutoff(now))


def retention_sweep(*, now: datetime | None = None, batch: int = BATCH) -> Removed:
    """Anonymise every visit past the retention window, `batch` visits per transaction, each batch
    written to the privacy audit log; then close open requests older than the window.

    Safe to run again or twice at once: a visit is anonymised once (rows are locked and re-checked).
    """
    now = now or timezone.now()
    total = Removed()
    while True:
        with transaction.atomic():
            candidates = list(retention_due(now=now).values_list("pk", flat=True)[:batch])
            if not candidates:
                break
            locked = _lock(candidates)
            still_due = list(retention_due(now=now).filter(pk__in=locked).values_list("pk", flat=True))
            removed = _anonymise(still_due, reason=AnonymisationReason.RETENTION, now=now)
            if removed.references:
                PrivacyEvent.objects.create(
                    action=EventAction.RETENTION,
                    at=now,
                    detail=removed.as_detail() | {"cutoff": retention_cutoff(now).isoformat()},
                )
        total.add(removed)
    with transaction.atomic():
        # Waitlist entries joined before the window (their last wished-for day is long gone).
        gone = _delete_entries(WaitlistEntry.objects.filter(created_at__lt=retention_cutoff(now)))
    if gone:
        PrivacyEvent.objects.create(
            action=EventAction.RETENTION, at=now, detail=Removed(waitlist_entries=gone).as_detail()
        )
        total.waitlist_entries += gone
    for request in _requests_past_window(now):
        request_close(request=request, by=None, now=now)
    return total


# One patient's data -----------------------------------------------------------------------------


def normalise_phone(value) -> str:
    """E.164 for a phone number (PhoneNumber or text), "" for none or an unreadable one."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(str(value), settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def patient_visits(*, phone: str = "", email: str = ""):
    """Every visit booked with this mobile number (E.164) or this email (any case), as a queryset."""
    condition = Q(pk__in=[])
    if phone:
        condition |= Q(patient_phone=phone)
    if email:
        condition |= Q(patient_email__iexact=email)
    return Appointment.objects.filter(condition)


def patient_waitlist(*, phone: str = "", email: str = ""):
    """Every waitlist entry made with this mobile number (E.164) or this email (any case), a queryset."""
    condition = Q(pk__in=[])
    if phone:
        condition |= Q(patient_phone=phone)
    if email:
        condition |= Q(patient_email__iexact=email)
    return WaitlistEntry.objects.filter(condition)


def is_upcoming(appointment: Appointment, now: datetime) -> bool:
    """Still to happen: holds its slot (booked, confirmed, checked in) and has not ended."""
    return appointment.status in ACTIVE_STATUSES and appointment.ends_at > now


@dataclass
class Findings:
    """Everything held about one request's identifiers: visits (with their consent, history, messages,
    feedback and anonymisation prefetched) and the other requests made for the same identifiers."""

    visits: list[Appointment]
    other_requests: list[DataRequest]
    waitlist: list[WaitlistEntry] = field(default_factory=list)

    def counts(self) -> dict:
        return {
            "visits": len(self.visits),
            "status_changes": sum(len(visit.history) for visit in self.visits),
            "messages": sum(len(visit.message_list) for visit in self.visits),
            "feedback": sum(1 for visit in self.visits if visit.feedback_answer is not None),
            "other_requests": len(self.other_requests),
            "waitlist_entries": len(self.waitlist),
        }


def request_findings(request: DataRequest) -> Findings:
    """What the clinic holds for an open request's identifiers (visits, other requests, waitlist entries),
    in a fixed number of queries (6);
    nothing for a closed one (its identifiers are gone)."""
    if not request.is_open:
        return Findings(visits=[], other_requests=[])
    phone = normalise_phone(request.phone)
    visits = list(
        patient_visits(phone=phone, email=request.email)
        .select_related("doctor__specialty", "location", "consent__notice", "consent__taken_by", "feedback")
        .prefetch_related(
            Prefetch("status_changes", queryset=StatusChange.objects.select_related("by"), to_attr="history"),
            Prefetch(
                "messages", queryset=Message.objects.order_by("created_at", "pk"), to_attr="message_list"
            ),
        )
        .order_by("starts_at", "pk")
    )
    for visit in visits:
        try:
            visit.feedback_answer = visit.feedback
        except Feedback.DoesNotExist:
            visit.feedback_answer = None
        try:
            visit.consent_record = visit.consent
        except Consent.DoesNotExist:
            visit.consent_record = None
    other = Q(pk__in=[])
    if phone:
        other |= Q(phone=phone)
    if request.email:
        other |= Q(email__iexact=request.email)
    others = list(DataRequest.objects.filter(other).exclude(pk=request.pk).order_by("opened_at", "pk"))
    waitlist = list(
        patient_waitlist(phone=phone, email=request.email)
        .select_related("doctor")
        .order_by("created_at", "pk")
    )
    return Findings(visits=visits, other_requests=others, waitlist=waitlist)


def mask_phone(value) -> str:
    """ "+91 ••••••••78": the country code and the last two digits, enough to tell requests apart."""
    e164 = normalise_phone(value)
    if not e164:
        return ""
    code = f"+{phonenumbers.parse(e164).country_code}"
    rest = e164[len(code) :]
    return f"{code} {'•' * (len(rest) - 2)}{rest[-2:]}"


def mask_email(value: str) -> str:
    """ "a•••@example.com": the first letter and the domain."""
    if not value or "@" not in value:
        return ""
    local, _at, domain = value.rpartition("@")
    return f"{local[:1]}•••@{domain}"


def _event(*, request: DataRequest | None, action: str, by, now: datetime, detail: dict | None = None):
    event = PrivacyEvent(request=request, action=action, by=by, at=now, detail=detail or {})
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def request_open(
    *,
    requester: str,
    channel: str,
    identity_check: str,
    phone="",
    email: str = "",
    by,
    now: datetime | None = None,
) -> DataRequest:
    """Record a new request for the data held under a mobile number and/or an email address."""
    now = now or timezone.now()
    request = DataRequest(
        requester=requester,
        channel=channel,
        identity_check=identity_check,
        phone=normalise_phone(phone),
        email=email.strip(),
        masked=", ".join(part for part in (mask_phone(phone), mask_email(email.strip())) if part),
        opened_by=by,
        opened_at=now,
    )
    request.full_clean()
    request.save()
    _event(request=request, action=EventAction.OPENED, by=by, now=now)
    return request


@transaction.atomic
def request_log_access(
    *, request: DataRequest, action: str, findings: Findings, by, now: datetime | None = None
) -> PrivacyEvent:
    """Audit one look at, or export of, a request's findings: who, when, and how much was shown."""
    return _event(
        request=request,
        action=action,
        by=by,
        now=now or timezone.now(),
        detail=findings.counts() | {"references": [visit.reference for visit in findings.visits]},
    )


@transaction.atomic
def request_close(*, request: DataRequest, by, now: datetime | None = None) -> DataRequest:
    """Close a request: forget its identifiers (the masked form stays). Closing twice changes nothing."""
    now = now or timezone.now()
    request = DataRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        return request
    request.phone, request.email = "", ""
    request.state, request.closed_at = RequestState.CLOSED, now
    request.full_clean()
    request.save()
    _event(request=request, action=EventAction.CLOSED, by=by, now=now)
    return request


@dataclass
class Erasure:
    removed: Removed
    kept_upcoming: list[str]
    closed: bool


class RequestClosed(ValidationError):
    """The request is closed: its identifiers are gone, so there is nothing to find or erase."""

    def __init__(self):
        super().__init__(
            _("This request is closed. To erase more, open a new request."), code="request_closed"
        )


@transaction.atomic
def request_erase(*, request: DataRequest, by, now: datetime | None = None) -> Erasure:
    """Anonymise every visit found for the request at once, except visits still to come.

    Upcoming visits (booked, confirmed or checked in, not yet ended) are kept and named in the
    result: they need cancelling first. When nothing is kept the request is closed too. Written to
    the audit log either way; running it again anonymises only what appeared since (usually nothing).
    Raises RequestClosed for a closed request.
    """
    now = now or timezone.now()
    request = DataRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise RequestClosed()
    found = patient_visits(phone=normalise_phone(request.phone), email=request.email)
    locked = _lock(found.values_list("pk", flat=True))
    visits = list(Appointment.objects.filter(pk__in=locked).order_by("starts_at", "pk"))
    kept = [visit for visit in visits if is_upcoming(visit, now)]
    erasable = [visit.pk for visit in visits if not is_upcoming(visit, now)]
    removed = _anonymise(erasable, reason=AnonymisationReason.REQUEST, now=now, request=request)
    # Waiting for an earlier time is not a visit: nothing to keep, the entries go now.
    removed.waitlist_entries += _delete_entries(
        patient_waitlist(phone=normalise_phone(request.phone), email=request.email)
    )
    kept_references = [visit.reference for visit in kept]
    _event(
        request=request,
        action=EventAction.ERASED,
        by=by,
        now=now,
        detail=removed.as_detail() | {"kept_upcoming": kept_references},
    )
    closed = not kept
    if closed:
        request_close(request=request, by=by, now=now)
    return Erasure(removed=removed, kept_upcoming=kept_references, closed=closed)
