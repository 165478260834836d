"""The privacy notice's versions and each booking's consent: which version is in effect, adding and
correcting versions (frozen once in effect), and recording what a patient agreed to.

`appointment_book` calls `consent_record` inside its transaction; the booking form asks
`notice_current` which version to show.
"""

from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.models import Appointment, AppointmentSource, StatusChange
from articles.rendering import render_markdown
from privacy.first_notice import first_notice_fields
from privacy.models import Consent, ConsentMethod, PrivacyNotice

# Notice versions --------------------------------------------------------------------------------


def clinic_today(now: datetime | None = None) -> date:
    """Today's date on the clinic's calendar (settings.TIME_ZONE): notice versions change at its midnight."""
    return timezone.localdate(now or timezone.now())


def notice_current(*, now: datetime | None = None) -> PrivacyNotice:
    """The version in effect: the newest whose effective date has come.

    Before version 1's date (a clock set back, as in tests) version 1 applies, as nothing older
    exists. A database that lost every version (a flushed test database; versions cannot be deleted
    in the admin) gets version 1 again from the shipped text, so a booking always has one to record.
    """
    today = clinic_today(now)
    notice = (
        PrivacyNotice.objects.in_effect(today).first() or PrivacyNotice.objects.order_by("version").first()
    )
    if notice is None:
        notice, _created = PrivacyNotice.objects.get_or_create(
            version=1,
            defaults=first_notice_fields(
                clinic_name=settings.CLINIC_NAME,
                clinic_email=settings.CLINIC_EMAIL,
                clinic_phone=settings.CLINIC_PHONE,
                effective_on=today,
            ),
        )
    return notice


@dataclass
class NoticeTimeline:
    """All versions around today: the one in effect, those announced for later, and the earlier ones."""

    current: PrivacyNotice
    upcoming: list[PrivacyNotice]
    earlier: list[PrivacyNotice]
    today: date


def notice_timeline(*, now: datetime | None = None) -> NoticeTimeline:
    """Every version in one query (versions are few), sorted around today (clinic calendar)."""
    today = clinic_today(now)
    versions = list(PrivacyNotice.objects.order_by("-version"))
    if not versions:
        versions = [notice_current(now=now)]
    in_effect = sorted(
        (v for v in versions if v.effective_on <= today),
        key=lambda v: (v.effective_on, v.version),
        reverse=True,
    )
    current = in_effect[0] if in_effect else versions[-1]
    upcoming = sorted(
        (v for v in versions if v.effective_on > today and v is not current), key=lambda v: v.version
    )
    for newer, older in pairwise(in_effect):
        older.effective_until = newer.effective_on  # the day it was replaced
    return NoticeTimeline(current=current, upcoming=upcoming, earlier=in_effect[1:], today=today)


def notice_date_problem(*, effective_on: date, version: int | None, now: datetime | None = None) -> str:
    """Why `effective_on` cannot be the date of a new version (version None) or of `version`; "" if it can.

    A version takes effect today or later, never in the past (bookings already made recorded the
    version in effect then), and never before the version it follows or after the one that follows it.
    """
    today = clinic_today(now)
    if effective_on < today:
        return _("A version cannot take effect in the past. Choose today or a later date.")
    others = (
        PrivacyNotice.objects.all() if version is None else PrivacyNotice.objects.exclude(version=version)
    )
    before = others if version is None else others.filter(version__lt=version)
    latest_before = before.aggregate(latest=Max("effective_on"))["latest"]
    if latest_before and effective_on < latest_before:
        return _("The version before this one takes effect on %(date)s; choose that date or a later one.") % {
            "date": f"{latest_before:%d %B %Y}"
        }
    if version is not None:
        first_after = others.filter(version__gt=version).order_by("version").first()
        if first_after and effective_on > first_after.effective_on:
            return _("The next version takes effect on %(date)s; choose that date or an earlier one.") % {
                "date": f"{first_after.effective_on:%d %B %Y}"
            }
    return ""


def notice_is_frozen(notice: PrivacyNotice, now: datetime | None = None) -> bool:
    """A version in effect (or past) keeps its text: patients agreed to exactly that."""
    return notice.pk is not None and notice.effective_on <= clinic_today(now)


@transaction.atomic
def notice_publish(*, notice: PrivacyNotice, by, now: datetime | None = None) -> PrivacyNotice:
    """Save an unsaved version (body, summary, effective_on filled in) as the next number, rendered.

    Raises ValidationError when its date breaks `notice_date_problem`.
    """
    list(PrivacyNotice.objects.select_for_update().values_list("pk", flat=True))  # one new number at a time
    problem = notice_date_problem(effective_on=notice.effective_on, version=None, now=now)
    if problem:
        raise ValidationError({"effective_on": problem})
    notice.version = (PrivacyNotice.objects.aggregate(highest=Max("version"))["highest"] or 0) + 1
    notice.body_html = render_markdown(notice.body).html
    notice.created_by = by
    notice.full_clean()
    notice.save()
    return notice


@transaction.atomic
def notice_update(*, notice: PrivacyNotice, now: datetime | None = None) -> PrivacyNotice:
    """Save changes to a version that has not taken effect yet (judged by its stored date).

    Raises ValidationError for a version in effect (its text is what patients agreed to) or a bad date.
    """
    stored = PrivacyNotice.objects.select_for_update().get(pk=notice.pk)
    if notice_is_frozen(stored, now):
        raise ValidationError(_("This version is in effect: its text cannot change. Add a new version."))
    problem = notice_date_problem(effective_on=notice.effective_on, version=stored.version, now=now)
    if problem:
        raise ValidationError({"effective_on": problem})
    notice.version = stored.version
    notice.body_html = render_markdown(notice.body).html
    notice.full_clean()
    notice.save()
    return notice


# Consent ----------------------------------------------------------------------------------------

METHOD_BY_SOURCE = {
    AppointmentSource.ONLINE: ConsentMethod.ONLINE,
    AppointmentSource.PHONE: ConsentMethod.PHONE,
    AppointmentSource.WALK_IN: ConsentMethod.IN_PERSON,
}


def consent_record(
    *, appointment: Appointment, notice_version: int | None, by=None, now: datetime | None = None
) -> Consent:
    """Record that the patient of a new booking agreed to notice `notice_version` (None: the current one).

    The method follows the booking's source (online form, phone, walk-in); staff bookings name
    `by`, the member of staff who asked. Called by `appointment_book` inside its transaction.
    """
    now = now or timezone.now()
    notice = None
    if notice_version is not None:
        notice = PrivacyNotice.objects.filter(version=notice_version).first()
    notice = notice or notice_current(now=now)
    method = METHOD_BY_SOURCE.get(appointment.source, ConsentMethod.ONLINE)
    consent = Consent(
        appointment=appointment,
        notice=notice,
        given_at=now,
        method=method,
        taken_by=None if method == ConsentMethod.ONLINE else by,
    )
    consent.full_clean(validate_unique=False)
    consent.save()
    return consent


def consents_backfill(*, now: datetime | None = None) -> int:
    """Give every booking without a consent record one for the first version, marked as backfilled.

    For bookings made before consent was stored, and for demo rows written without the booking
    service. Returns how many were added.
    """
    from privacy.backfill import backfill_consents

    first = PrivacyNotice.objects.order_by("version").first() or notice_current(now=now)
    return backfill_consents(
        Appointment=Appointment, Consent=Consent, StatusChange=StatusChange, notice_id=first.pk
    )
