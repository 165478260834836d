"""One patient's data as a plain structure: the JSON export as it is, and the HTML export's context.

Times are the visit location's wall clock, ISO 8601 with the offset plus the zone's abbreviation and
name (SPEC 3.3: every time a person sees). Staff appear as "clinic staff", never by name: the file is
for the patient, and staff accounts are other people's data. Internal fields (message errors, manage
keys, booking tokens) stay out.
"""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from clinic.wallclock import wall_clock
from privacy.models import DataRequest
from privacy.services import Findings

FORMAT_VERSION = 1


def _when(value: datetime | None, zone) -> dict | None:
    """An instant as the place reads it: ISO 8601 with the offset, words with the abbreviation, the zone."""
    if value is None:
        return None
    clock = wall_clock(value, zone)
    return {
        "iso": clock.local_start.isoformat(timespec="minutes"),
        "text": clock.format("medium"),
        "time_zone": clock.zone.key,
    }


def _who(user, *, patient: str = "you (online)") -> str:
    return "clinic staff" if user is not None else patient


def visit_data(visit, now: datetime) -> dict:
    """One visit with everything hanging off it (prefetched by `request_findings`)."""
    zone = visit.location.zone
    consent = visit.consent_record
    feedback = visit.feedback_answer
    return {
        "reference": visit.reference,
        "doctor": visit.doctor.name,
        "specialty": visit.doctor.specialty.name,
        "location": visit.location.name,
        "address": " ".join(visit.location.address.split()),
        "starts_at": _when(visit.starts_at, zone),
        "ends_at": _when(visit.ends_at, zone),
        "status": visit.get_status_display(),
        "booked": visit.get_source_display(),
        "visit_type": visit.get_visit_type_display(),
        "patient_name": visit.patient_name,
        "booked_by": visit.booker_name,
        "relationship": visit.get_booker_relationship_display() if visit.booker_relationship else "",
        "mobile": visit.patient_phone.as_e164 if visit.patient_phone else "",
        "email": visit.patient_email,
        "reason": visit.reason,
        "cancel_reason": visit.cancel_reason,
        "cancelled_at": _when(visit.cancelled_at, zone),
        "created_at": _when(visit.created_at, zone),
        "consent": {
            "privacy_notice_version": consent.notice.version,
            "notice_in_effect_from": consent.notice.effective_on.isoformat(),
            "given_at": _when(consent.given_at, zone),
            "how": consent.get_method_display(),
            "recorded_afterwards": consent.backfilled,
        }
        if consent
        else None,
        "status_history": [
            {
                "at": _when(change.at, zone),
                "by": _who(change.by),
                "from": change.get_from_status_display() or "",
                "to": change.get_to_status_display(),
                "note": change.note,
            }
            for change in visit.history
        ],
        "messages": [
            {
                "kind": message.get_kind_display(),
                "channel": message.get_channel_display(),
                "state": message.get_state_display(),
                "due_at": _when(message.due_at, zone),
                "sent_at": _when(message.sent_at, zone),
                "sent_to": message.recipient,
            }
            for message in visit.message_list
        ],
        "feedback": {
            "would_recommend": feedback.would_recommend,
            "comment": feedback.comment,
            "answered_at": _when(feedback.created_at, zone),
        }
        if feedback
        else None,
    }


def request_data(other: DataRequest, zone) -> dict:
    return {
        "request": other.pk,
        "asked_by": other.get_channel_display(),
        "opened_at": _when(other.opened_at, zone),
        "state": other.get_state_display(),
    }


def patient_data(request: DataRequest, findings: Findings, now: datetime | None = None) -> dict:
    """The export of one request: identifiers searched, every visit with its history, messages,
    feedback and consent, and the other requests made for the same identifiers."""
    now = now or timezone.now()
    zone = timezone.get_current_timezone()
    return {
        "format": f"clinic-patient-data/{FORMAT_VERSION}",
        "clinic": {
            "name": settings.CLINIC_NAME,
            "email": settings.CLINIC_EMAIL,
            "phone": settings.CLINIC_PHONE,
            "address": settings.CLINIC_ADDRESS,
        },
        "request": request.pk,
        "generated_at": _when(now, zone),
        "searched_for": {
            "mobile": request.phone.as_e164 if request.phone else "",
            "email": request.email,
        },
        "visits": [visit_data(visit, now) for visit in findings.visits],
        "privacy_requests": [request_data(other, zone) for other in findings.other_requests],
        "waitlist": [
            {
                "doctor": entry.doctor.name,
                "patient_name": entry.patient_name,
                "mobile": entry.patient_phone.as_e164 if entry.patient_phone else "",
                "email": entry.patient_email,
                "up_to": entry.not_after.isoformat(),
                "time_of_day": entry.get_part_of_day_display(),
                "status": entry.get_status_display(),
                "joined_at": _when(entry.created_at, zone),
            }
            for entry in findings.waitlist
        ],
    }
