"""Private feedback links: signed like the manage link, with a salt of their own.

A manage token does not open the feedback page and a feedback token does not open the manage
page; changing the appointment's manage key revokes both.
"""

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from appointments.models import Appointment

SALT = "notifications.feedback-link"


def feedback_token(appointment: Appointment) -> str:
    return signing.dumps([appointment.pk, appointment.manage_key], salt=SALT)


def feedback_url(appointment: Appointment, *, absolute: bool = False) -> str:
    path = reverse("notifications:feedback", kwargs={"token": feedback_token(appointment)})
    return f"{settings.SITE_URL}{path}" if absolute else path


def appointment_from_feedback_token(token: str) -> Appointment:
    """The appointment a feedback token belongs to; Http404 for anything forged or tampered."""
    try:
        pk, key = signing.loads(token, salt=SALT)
        appointment = Appointment.objects.select_related("doctor__specialty", "location").get(pk=int(pk))
    except (signing.BadSignature, ValueError, TypeError, Appointment.DoesNotExist) as error:
        raise Http404("No such feedback link") from error
    if not constant_time_compare(str(key), appointment.manage_key):
        raise Http404("No such feedback link")
    return appointment
