"""Waitlist pages: join (from a doctor's picker or a booking's manage page), take an offer, the staff list."""

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from appointments import availability
from appointments.access import staff_required, visible_doctors
from appointments.links import LinkExpired, appointment_from_token, manage_url
from appointments.policy import change_window
from appointments.ratelimit import limit_posts
from appointments.services import (
    AlreadyBooked,
    MobileLimitReached,
    NotActive,
    PastCutoff,
    SlotTaken,
    SlotUnavailable,
)
from doctors.models import Doctor
from waitlist.forms import JoinForm, StaffWaitlistForm
from waitlist.models import OfferState, WaitlistEntry, WaitlistOffer
from waitlist.services import (
    OfferGone,
    entry_join,
    offer_accept,
    offer_decline,
    offer_from_token,
    offer_refusal,
)


def _joined_words(entry: WaitlistEntry) -> str:
    return _("You are on the waitlist. If a time up to %(day)s frees up, we email %(email)s at once.") % {
        "day": date_format(entry.not_after, "l j F Y"),
        "email": entry.patient_email,
    }


@limit_posts("booking")
def join(request, slug):
    """ "Tell me if an earlier time frees up", from a doctor's picker: wishes and contact details."""
    doctor = get_object_or_404(Doctor.objects.active().select_related("location"), slug=slug)
    form = JoinForm(request.POST or None, initial={"not_after": availability.local_today(doctor)})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = entry_join(
                    doctor=doctor,
                    patient_name=data["patient_name"],
                    patient_phone=data["patient_phone"],
                    patient_email=data["patient_email"],
                    not_after=data["not_after"],
                    part_of_day=data["part_of_day"],
                    privacy_notice_version=form.notice.version,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _joined_words(entry))
                return redirect("appointments:picker", slug=doctor.slug)
    context = {"doctor": doctor, "form": form, "offer_minutes": settings.WAITLIST_OFFER_MINUTES}
    return render(request, "waitlist/join.html", context, status=status)


@limit_posts("booking")
def join_for_booking(request, token):
    """The same from a booking's manage page: an earlier time for this visit (it moves when taken)."""
    try:
        appointment = appointment_from_token(token)
    except LinkExpired as error:
        raise Http404 from error
    if not change_window(appointment).can_change:
        return redirect("appointments:manage", token=token)
    initial = {
        "not_after": appointment.starts_at.astimezone(appointment.location.zone).date(),
        "patient_email": appointment.patient_email,
    }
    form = JoinForm(request.POST or None, initial=initial, for_booking=True)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = entry_join(
                    doctor=appointment.doctor,
                    appointment=appointment,
                    patient_name=appointment.patient_name,
                    patient_phone=appointment.patient_phone,
                    patient_email=data["patient_email"],
                    not_after=data["not_after"],
                    part_of_day=data["part_of_day"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _joined_words(entry))
                return redirect("appointments:manage", token=token)
    context = {
        "doctor": appointment.doctor,
        "appointment": appointment,
        "form": form,
        "token": token,
        "offer_minutes": settings.WAITLIST_OFFER_MINUTES,
    }
    return render(request, "waitlist/join.html", context, status=status)


@limit_posts("booking")
def offer(request, token):
    """The offer's one-tap page: the time, until when it is held, and one button to take it (POST).

    A GET never books: mail scanners open links. "No thanks" passes the time on at once.
    """
    found = offer_from_token(token)
    if found is None:
        raise Http404("No such offer")
    status = 200
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in {"accept", "decline"}:
            # Only the page's own two buttons act: a POST without either changes nothing.
            error, status = _("Choose “Book this time” or “No thanks”."), 400
        elif action == "decline":
            offer_decline(offer=found)
            messages.info(
                request, _("Thank you. We offer this time to the next person; you keep your place.")
            )
            return redirect("waitlist:offer", token=token)
        else:
            try:
                appointment = offer_accept(offer=found)
            except OfferGone:
                status = 409
            except (
                SlotTaken,
                SlotUnavailable,
                PastCutoff,
                NotActive,
                AlreadyBooked,
                MobileLimitReached,
            ) as refused:
                error = refused.messages[0] if refused.messages else _("This time could not be booked.")
                status = 409
            else:
                messages.success(request, _("Done: the earlier time is yours."))
                return redirect(manage_url(appointment))
        found.refresh_from_db()
    context = {"offer": found, "refusal": offer_refusal(found), "error": error, "token": token}
    return render(request, "waitlist/offer.html", context, status=status)


@staff_required()
def staff_waitlist(request):
    """Staff: one doctor's waiting line for a day (who waits, for what), and that day's offers."""
    doctors = visible_doctors(request.user).filter(is_active=True).select_related("location").order_by("name")
    form = StaffWaitlistForm(request.GET or None, doctors=doctors)
    doctor = day = None
    if form.is_bound and form.is_valid():
        doctor, day = form.cleaned_data["doctor"], form.cleaned_data["date"]
    doctor = doctor or doctors.first()
    context = {"form": form, "doctor": doctor, "entries": [], "offers": []}
    if doctor is not None:
        day = day or availability.local_today(doctor)
        zone = doctor.location.zone
        start = timezone.make_aware(datetime.combine(day, datetime.min.time()), zone)
        end = timezone.make_aware(datetime.combine(day, datetime.max.time()), zone)
        context |= {
            "day": day,
            "entries": list(
                WaitlistEntry.objects.waiting()
                .filter(doctor=doctor, not_after__gte=day)
                .select_related("appointment__location", "doctor__location")
                .order_by("created_at", "pk")
            ),
            "offers": list(
                WaitlistOffer.objects.filter(doctor=doctor, starts_at__range=(start, end))
                .select_related("entry", "location")
                .order_by("starts_at", "created_at")
            ),
            "open_state": OfferState.OPEN,
        }
    return render(request, "waitlist/staff_waitlist.html", context)
