"""Private manage links: a signed (id, random key) pair, so the URL carries no patient data.

The key is random per appointment (not derived from anything guessable), and the signature has
its own salt, so a token cannot be forged or reused from another signed value.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from appointments.models import Appointment

SALT = "appointments.manage-link"


class LinkExpired(Exception):
    """The link is genuine but its visit ended more than MANAGE_LINK_DAYS ago."""


def signed_token(appointment: Appointment, *, salt: str) -> str:
    """A token naming `appointment` for one purpose (the salt): its id and its random key, signed."""
    return signing.dumps([appointment.pk, appointment.manage_key], salt=salt)


def appointment_from_signed(token: str, *, salt: str) -> Appointment:
    """The appointment a `signed_token` names; Http404 for anything forged, tampered or revoked."""
    try:
        pk, key = signing.loads(token, salt=salt)
        appointment = Appointment.objects.select_related("doctor__specialty", "location").get(pk=int(pk))
    except (signing.BadSignature, ValueError, TypeError, Appointment.DoesNotExist) as error:
        raise Http404("No such appointment link") from error
    if not constant_time_compare(str(key), appointment.manage_key):
        raise Http404("No such appointment link")
    return appointment


def manage_token(appointment: Appointment) -> str:
    return signed_token(appointment, salt=SALT)


def manage_url(appointment: Appointment, name: str = "appointments:manage") -> str:
    return reverse(name, kwargs={"token": manage_token(appointment)})


def appointment_from_token(token: str, now: datetime | None = None) -> Appointment:
    """The appointment a token opens; Http404 for anything forged, LinkExpired for old visits."""
    appointment = appointment_from_signed(token, salt=SALT)
    if appointment.ends_at + timedelta(days=settings.MANAGE_LINK_DAYS) < (now or timezone.now()):
        raise LinkExpired
    return appointment
