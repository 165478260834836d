"""iCalendar (.ics) files for appointments, with TZID and VTIMEZONE so apps show clinic time.

Each file's VTIMEZONE blocks cover only the days of its events (docs/decisions.md, 2026-11-29): a block
with the zone's whole 1970-2038 history (long RDATE lists, a 1970 observance from when British time
was the standard) is read wrongly by Mozilla's ical.js (Thunderbird, Nextcloud), which put a London
visit an hour early. tests/appointments/test_calendar_clients.py reads our files with ical.js.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from appointments.models import AppointmentStatus


def _calendar(product: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    return calendar


def _event(appointment, *, host: str, stamp) -> Event:
    """An event at the visit's time in its location's zone (TZID), with a stable UID per reference."""
    event = Event()
    event.add("uid", f"appointment-{appointment.reference}@{host.split(':')[0]}")
    event.add("dtstamp", stamp)
    event.add("dtstart", appointment.local_starts_at)
    event.add("dtend", appointment.local_ends_at)
    return event


def _add_timezones(calendar: Calendar, appointments) -> None:
    """A VTIMEZONE for each zone the events use (RFC 5545 3.6.5), covering the events' local days with
    a day to spare on either side, and no more (icalendar's windowed `Timezone.from_tzid`)."""
    days = [
        day
        for appointment in appointments
        for day in (appointment.local_starts_at.date(), appointment.local_ends_at.date())
    ]
    if days:
        calendar.add_missing_timezones(
            first_date=min(days) - timedelta(days=1), last_date=max(days) + timedelta(days=1)
        )


def appointment_ics(appointment, *, host: str) -> bytes:
    """One visit as a .ics file (bytes): times with the location's TZID and its VTIMEZONE."""
    calendar = _calendar("Booking")
    event = _event(appointment, host=host, stamp=timezone.now())
    event.add("summary", f"Consultation with {appointment.doctor.name}")
    event.add("location", f"{appointment.location.name}, {appointment.location.postal_address}")
    event.add(
        "description",
        f"Reference {appointment.reference}. {appointment.doctor.name}, {appointment.doctor.specialty.name}. "
        f"To change or cancel, use the link in your confirmation or call {settings.CLINIC_PHONE}.",
    )
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    _add_timezones(calendar, [appointment])
    return calendar.to_ical()


def patient_initials(name: str) -> str:
    """ "Asha Rao" -> "A.R."; at most three initials, letters only."""
    return "".join(f"{word[0].upper()}." for word in name.split()[:3] if word[0].isalpha())


def doctor_feed_ics(doctor, appointments, *, host: str) -> bytes:
    """A doctor's private feed: one event per visit with the patient's initials and the reference only.

    No full name, phone, email or reason ever goes into a feed (SPEC 3.5, 5): calendar apps sync
    feeds to third-party servers.
    """
    calendar = _calendar("Doctor feed")
    calendar.add("x-wr-calname", f"{settings.CLINIC_NAME}: {doctor.name}")
    stamp = timezone.now()
    appointments = list(appointments)
    for appointment in appointments:
        event = _event(appointment, host=host, stamp=stamp)
        event.add("summary", f"{patient_initials(appointment.patient_name)} · {appointment.reference}")
        event.add("location", appointment.location.name)
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    _add_timezones(calendar, appointments)
    return calendar.to_ical()
