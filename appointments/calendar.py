"""iCalendar (.ics) files for appointments, with TZID and VTIMEZONE so apps show clinic time."""

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from appointments.models import AppointmentStatus


def appointment_ics(appointment, *, host: str) -> bytes:
    zone = appointment.location.zone
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//Booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"appointment-{appointment.reference}@{host.split(':')[0]}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.starts_at.astimezone(zone))
    event.add("dtend", appointment.ends_at.astimezone(zone))
    event.add("summary", f"Consultation with {appointment.doctor.name}")
    event.add("location", f"{appointment.location.name}, {' '.join(appointment.location.address.split())}")
    event.add(
        "description",
        f"Reference {appointment.reference}. {appointment.doctor.name}, {appointment.doctor.specialty.name}. "
        f"To change or cancel, use the link in your confirmation or call {settings.CLINIC_PHONE}.",
    )
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
