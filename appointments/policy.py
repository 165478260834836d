"""The online change policy (SPEC 3.3): minimum notice, cut-off and grace period, and where a visit stands.

One place answers "may the patient still cancel or move this online?" and says the rule in words, so
the details form, the manage, cancel and reschedule pages, the emails and the services never disagree.
Settings (all `timedelta`): BOOKING_MIN_NOTICE, BOOKING_CUTOFF, BOOKING_GRACE_PERIOD.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from appointments.models import Appointment, AppointmentStatus
from clinic.wallclock import wall_clock


class VisitState(models.TextChoices):
    """Where a visit stands for the patient, as its manage page tells it."""

    UPCOMING = "upcoming", gettext_lazy("Upcoming")  # changeable online
    GRACE = "grace", gettext_lazy("Upcoming, inside the cut-off, in its grace period")
    CLOSED = "closed", gettext_lazy("Upcoming, inside the cut-off")
    PAST = "past", gettext_lazy("Time has passed")
    COMPLETED = "completed", gettext_lazy("Completed")
    NO_SHOW = "no_show", gettext_lazy("No-show")
    CANCELLED = "cancelled", gettext_lazy("Cancelled")


@dataclass(frozen=True)
class ChangeWindow:
    """A visit's state at one instant, with the two instants that bound its online changes (aware UTC)."""

    state: VisitState
    closes_at: datetime  # the start minus the cut-off
    grace_until: datetime  # booked-at plus the grace period, never past the start

    @property
    def changes_end(self) -> datetime:
        """When online changes end for this visit: the cut-off, or the end of its grace period if later."""
        return max(self.closes_at, self.grace_until)

    @property
    def can_change(self) -> bool:
        """Whether the patient may cancel or reschedule online now (both follow the same rule)."""
        return self.state in {VisitState.UPCOMING, VisitState.GRACE}

    @property
    def is_upcoming(self) -> bool:
        return self.state in {VisitState.UPCOMING, VisitState.GRACE, VisitState.CLOSED}


def grace_until(appointment: Appointment) -> datetime:
    """When the grace period of a fresh booking ends: booked-at plus BOOKING_GRACE_PERIOD, capped at the start."""
    return min(appointment.created_at + settings.BOOKING_GRACE_PERIOD, appointment.starts_at)


def change_window(appointment: Appointment, now: datetime | None = None) -> ChangeWindow:
    """Where `appointment` stands at `now` (aware; default the clock) for online changes.

    Before the cut-off (BOOKING_CUTOFF before the start) the visit is UPCOMING. Inside it, a booking
    made less than BOOKING_GRACE_PERIOD ago (decision 2026-11-29) is in GRACE until that period ends or
    the visit starts, whichever is first; otherwise CLOSED. Statuses that end a visit win over the clock.
    """
    now = now or timezone.now()
    closes_at = appointment.starts_at - settings.BOOKING_CUTOFF
    grace_end = grace_until(appointment)
    status = appointment.status
    if status == AppointmentStatus.CANCELLED:
        state = VisitState.CANCELLED
    elif status == AppointmentStatus.NO_SHOW:
        state = VisitState.NO_SHOW
    elif status == AppointmentStatus.COMPLETED:
        state = VisitState.COMPLETED
    elif now >= appointment.starts_at:
        state = VisitState.PAST
    elif now <= closes_at:
        state = VisitState.UPCOMING
    elif now < grace_end:
        state = VisitState.GRACE
    else:
        state = VisitState.CLOSED
    return ChangeWindow(state=state, closes_at=closes_at, grace_until=grace_end)


def is_changeable(appointment: Appointment, now: datetime | None = None) -> bool:
    """Whether the patient may cancel or reschedule `appointment` online at `now` (grace period included)."""
    return change_window(appointment, now).can_change


def describe_duration(duration: timedelta) -> str:
    """A duration in words: "4 hours", "30 minutes", "1 hour 30 minutes" (whole minutes)."""
    minutes = int(duration.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if minutes or not hours:
        parts.append(ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes})
    return " ".join(parts)


def local_time(moment: datetime, appointment: Appointment) -> str:
    """'Tue 1 Dec, 06:30 IST': `moment` on the wall clock of the visit's location (clinic.wallclock)."""
    return wall_clock(moment, appointment).format("short")


def policy_summary() -> str:
    """The whole policy in words, for the details form before booking and for the confirmation email."""
    words = {
        "notice": describe_duration(settings.BOOKING_MIN_NOTICE),
        "cutoff": describe_duration(settings.BOOKING_CUTOFF),
        "grace": describe_duration(settings.BOOKING_GRACE_PERIOD),
        "phone": settings.CLINIC_PHONE,
    }
    text = (
        _(
            "Online booking needs at least %(notice)s' notice. You can cancel or reschedule online until %(cutoff)s before the appointment."
        )
        % words
    )
    if timedelta(0) < settings.BOOKING_GRACE_PERIOD:
        text += (
            " "
            + _(
                "If you book later than that, you can still cancel or reschedule online for %(grace)s after booking."
            )
            % words
        )
    return text + " " + _("After that, please call us on %(phone)s.") % words


def cutoff_refusal() -> str:
    """Why an online change was refused (the PastCutoff message)."""
    return _(
        "Online changes close %(cutoff)s before the appointment. To cancel or move it now, please call us on %(phone)s."
    ) % {"cutoff": describe_duration(settings.BOOKING_CUTOFF), "phone": settings.CLINIC_PHONE}


def window_words(appointment: Appointment, window: ChangeWindow) -> str:
    """What this visit's patient may still do online, in words with local times ("" once the visit is over)."""
    words = {
        "until": local_time(window.changes_end, appointment),
        "cutoff": describe_duration(settings.BOOKING_CUTOFF),
        "grace": describe_duration(settings.BOOKING_GRACE_PERIOD),
        "phone": settings.CLINIC_PHONE,
    }
    if window.state == VisitState.UPCOMING:
        return (
            _(
                "You can cancel or reschedule this appointment online until %(until)s. "
                "After that, please call us on %(phone)s."
            )
            % words
        )
    if window.state == VisitState.GRACE:
        return (
            _(
                "Online changes close %(cutoff)s before an appointment, but a new booking can still be cancelled or "
                "rescheduled online for %(grace)s: this one until %(until)s. After that, please call us on %(phone)s."
            )
            % words
        )
    if window.state == VisitState.CLOSED:
        return (
            _(
                "Online changes for this appointment closed at %(until)s. To cancel or move it, please call us on %(phone)s."
            )
            % words
        )
    return ""
