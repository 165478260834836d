"""Private feedback links: signed like the manage link, with a salt of their own.

A manage token does not open the feedback page and a feedback token does not open the manage
page; changing the appointment's manage key revokes both.
"""

from django.conf import settings
from django.urls import reverse

from appointments.links import appointment_from_signed, signed_token
from appointments.models import Appointment

SALT = "notifications.feedback-link"


def feedback_token(appointment: Appointment) -> str:
    return signed_token(appointment, salt=SALT)


def feedback_url(appointment: Appointment, *, absolute: bool = False) -> str:
    path = reverse("notifications:feedback", kwargs={"token": feedback_token(appointment)})
    return f"{settings.SITE_URL}{path}" if absolute else path


def appointment_from_feedback_token(token: str) -> Appointment:
    """The appointment a feedback token belongs to; Http404 for anything forged or tampered."""
    return appointment_from_signed(token, salt=SALT)
