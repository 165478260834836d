"""My appointments (issue 15 item 4): every upcoming and recent visit booked with one email address,
without an account.

Typing an address proves nothing, so the list is never shown to whoever typed it: a short-lived signed
link to it goes to that address, through the message ledger (kind "visit_list"), and the request page
answers the same whether or not the address has visits (SPEC 3.3, proof of possession). The link names
the ledger row (`[message id]`, signed with its own salt and a timestamp), never the address, so no
patient data is in the URL; it stops working MY_APPOINTMENTS_LINK_MINUTES after it was sent, and at once
when the row is removed (anonymisation, erasure). Decision: docs/decisions.md (2026-11-29).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from appointments.models import Appointment
from notifications import services as notify
from notifications.models import Message, MessageKind

SALT = "appointments.my-appointments"


class ListLinkExpired(Exception):
    """The list link is genuine but older than MY_APPOINTMENTS_LINK_MINUTES."""


def visits_for_email(email: str, now: datetime) -> QuerySet[Appointment]:
    """Visits booked with `email` (ASCII case ignored, as SQL LOWER does on every database) whose manage
    links still work: any status, ending no earlier than MANAGE_LINK_DAYS before `now` (aware).

    Read through the `appointment_email_lower` index, with doctor, specialty and location joined: one query.
    """
    email = email.strip()
    if not email:
        return Appointment.objects.none()
    return (
        Appointment.objects.alias(email_lower=Lower("patient_email"))
        .filter(email_lower=email.lower(), ends_at__gte=now - timedelta(days=settings.MANAGE_LINK_DAYS))
        .select_related("doctor__specialty", "location")
    )


def split_visits(visits, now: datetime) -> tuple[list[Appointment], list[Appointment]]:
    """(coming up: active and not started, soonest first; the rest: earlier or cancelled, latest first)."""
    coming = sorted((v for v in visits if v.is_active and v.starts_at >= now), key=lambda v: v.starts_at)
    others = sorted((v for v in visits if v not in coming), key=lambda v: v.starts_at, reverse=True)
    return coming, others


@transaction.atomic
def visit_list_request(*, email: str, now: datetime | None = None) -> int:
    """Plan the "my appointments" email for `email` when it has visits; returns 0 or 1 (never shown).

    The latest-made visit is the ledger row's anchor and is locked first, so simultaneous requests for
    one address plan one email (notifications.messages_plan_visit_list also limits how often).
    """
    now = now or timezone.now()
    ids = list(visits_for_email(email, now).order_by("-created_at", "-pk").values_list("pk", flat=True))
    if not ids:
        return 0
    anchor = Appointment.objects.select_for_update().get(pk=ids[0])
    planned = notify.messages_plan_visit_list(
        anchor=anchor, visit_ids=ids, email=anchor.patient_email, now=now
    )
    return int(planned is not None)


def visit_list_token(message: Message) -> str:
    """The signed, timestamped token of one "my appointments" email (made when the email is built)."""
    return signing.dumps([message.pk], salt=SALT)


def visit_list_url(message: Message) -> str:
    return reverse("appointments:my-appointments-list", kwargs={"token": visit_list_token(message)})


def message_from_token(token: str) -> Message:
    """The ledger row a list token names; ListLinkExpired when it is too old, Http404 when it is forged,
    tampered, or its row is gone."""
    max_age = timedelta(minutes=settings.MY_APPOINTMENTS_LINK_MINUTES)
    try:
        (pk,) = signing.loads(token, salt=SALT, max_age=max_age)
        message = Message.objects.filter(pk=int(pk), kind=MessageKind.VISIT_LIST).first()
    except signing.SignatureExpired as error:
        raise ListLinkExpired from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise Http404("No such link") from error
    if message is None or not message.recipient:
        raise Http404("No such link")
    return message
