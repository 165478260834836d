"""Patient emails: plain text and HTML from templates, times in the visit's own zone, .ics attached."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from appointments.calendar import appointment_ics
from appointments.links import manage_url
from appointments.models import Appointment
from appointments.my_appointments import visit_list_url
from appointments.policy import change_window, policy_summary, window_words
from notifications.links import feedback_url
from notifications.models import Message, MessageKind

SUBJECTS = {
    MessageKind.CONFIRMATION: _("Your appointment with %(doctor)s is booked (%(reference)s)"),
    MessageKind.REMINDER: _("Reminder: %(doctor)s, %(when)s"),
    MessageKind.CHANGED: _("Your appointment with %(doctor)s has moved (%(reference)s)"),
    MessageKind.CANCELLED: _("Your appointment with %(doctor)s is cancelled (%(reference)s)"),
    MessageKind.FEEDBACK_REQUEST: _("Would you recommend %(doctor)s?"),
    MessageKind.LINK: _("The link to your appointment with %(doctor)s (%(reference)s)"),
    MessageKind.VISIT_LIST: _("Your appointments at %(clinic)s"),
    MessageKind.DESK_LINK: _("The link to your appointment with %(doctor)s (%(reference)s)"),
}
# A calendar file goes with every message that gives a (new) time; the UID stays, so apps update it.
WITH_CALENDAR = {MessageKind.CONFIRMATION, MessageKind.CHANGED}


def context(message: Message, appointment: Appointment) -> dict:
    """Template context of one email: `when` is the visit on its location's wall clock
    ("Tuesday 25 November 2026, 10:30 IST", clinic.wallclock), never the server's zone; with its price,
    the change policy and the links."""
    return {
        "message": message,
        "appointment": appointment,
        "doctor": appointment.doctor,
        "location": appointment.location,
        "when": appointment.wall_clock.format("full"),
        "time_zone": appointment.location.time_zone,
        "manage_url": settings.SITE_URL + manage_url(appointment),
        "feedback_url": feedback_url(appointment, absolute=True),
        "find_url": settings.SITE_URL + reverse("appointments:find-booking"),
        "price": appointment.price,
        "policy": policy_summary(),
        "window_words": window_words(appointment, change_window(appointment)),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "clinic_email": settings.CLINIC_EMAIL,
        "site_url": settings.SITE_URL,
        # "My appointments": a fresh signed link to the list, made when this email is built (sent).
        "list_url": settings.SITE_URL + visit_list_url(message)
        if message.kind == MessageKind.VISIT_LIST
        else "",
        "list_minutes": settings.MY_APPOINTMENTS_LINK_MINUTES,
        "recent_days": settings.MANAGE_LINK_DAYS,
        "my_appointments_url": settings.SITE_URL + reverse("appointments:my-appointments"),
    }


def build(*, message: Message, appointment: Appointment) -> EmailMultiAlternatives:
    data = context(message, appointment)
    subject = str(SUBJECTS[message.kind]) % {
        "doctor": appointment.doctor.name,
        "reference": appointment.reference,
        "when": data["when"],
        "clinic": settings.CLINIC_NAME,
    }
    template = f"notifications/email/{message.kind}"
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", data),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[appointment.patient_email],
        reply_to=[settings.CLINIC_EMAIL],
    )
    email.attach_alternative(render_to_string(f"{template}.html", data), "text/html")
    if message.kind in WITH_CALENDAR:
        host = urlsplit(settings.SITE_URL).netloc or "localhost"
        email.attach(
            f"appointment-{appointment.reference}.ics",
            appointment_ics(appointment, host=host),
            "text/calendar",
        )
    return email
