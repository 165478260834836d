"""The waitlist offer email: the freed time on its location's wall clock, until when it is held, the link."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from clinic.wallclock import wall_clock
from waitlist.models import WaitlistOffer


def context(offer: WaitlistOffer) -> dict:
    """Times through clinic.wallclock at the offer's location (SPEC 3.3), never the server's zone."""
    return {
        "offer": offer,
        "entry": offer.entry,
        "doctor": offer.doctor,
        "location": offer.location,
        "when": wall_clock(offer).format("full"),
        "until": wall_clock(offer.expires_at, offer).format("time"),
        "moving": offer.entry.appointment is not None,
        "offer_url": _offer_url(offer),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
    }


def _offer_url(offer):
    from waitlist.services import offer_url

    return offer_url(offer, absolute=True)


def build(*, offer: WaitlistOffer) -> EmailMultiAlternatives:
    data = context(offer)
    subject = _("An earlier time with %(doctor)s: %(when)s") % {
        "doctor": offer.doctor.name,
        "when": data["when"],
    }
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("waitlist/email/offer.txt", data),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[offer.entry.patient_email],
        reply_to=[settings.CLINIC_EMAIL],
    )
    email.attach_alternative(render_to_string("waitlist/email/offer.html", data), "text/html")
    return email
