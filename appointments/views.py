"""Patient booking flow: start page, slot picker, details form, manage page, cancel, reschedule, .ics.

Reads are class-based views; writes are short functions that call one service.
"""

import uuid
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView, ListView

from appointments import availability, calendar
from appointments.forms import (
    BookingForm,
    BookStartForm,
    CancelForm,
    PickerForm,
    RescheduleForm,
    SendLinkForm,
    parse_start,
)
from appointments.holds import HoldRefused, hold_of, hold_place, hold_release
from appointments.links import LinkExpired, appointment_from_token, manage_url
from appointments.models import Appointment
from appointments.policy import (
    VisitState,
    change_window,
    cutoff_refusal,
    local_time,
    policy_summary,
    window_words,
)
from appointments.ratelimit import allowance_left, limit_posts
from appointments.services import (
    AlreadyBooked,
    MobileLimitReached,
    NotActive,
    PastCutoff,
    SlotTaken,
    SlotUnavailable,
    StaleForm,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from appointments.slots import nearest
from clinic.params import ParameterError, parse_count, parse_date, patient_window
from doctors.models import Doctor
from notifications.links import feedback_url
from notifications.services import feedback_refusal

PICKER_DAYS = 7
API_MAX_DAYS = 31
WHAT_TO_BRING = [
    _("Photo ID"),
    _("Any earlier scans (MRI, CT, X-ray) and their reports"),
    _("A list of the medicines you take"),
    _("Referral letter, if you have one"),
]


def bookable_doctors():
    return Doctor.objects.active().for_cards()


def picker_context(doctor, requested: date | None, *, url: str, now=None, exclude=None) -> dict:
    """A week strip of days with their free times, for includes/slot_picker.html.

    `days` is [(local date, [Slot], opens_on)]: `opens_on` is None for a day inside the booking horizon;
    for a day beyond it (the strip's last week runs past it) it is the date that day starts to open for
    online booking, so the picker says why it has no times (issue 13, item 7). `horizon_days` is
    BOOKING_HORIZON_DAYS (SPEC 3.3).
    """
    now = now or timezone.now()
    today = availability.local_today(doctor, now)
    horizon = timedelta(days=settings.BOOKING_HORIZON_DAYS)
    last = today + horizon
    selected = min(max(requested or today, today), last)
    strip_start = today + timedelta(days=((selected - today).days // PICKER_DAYS) * PICKER_DAYS)
    found = availability.days_with_slots(doctor, strip_start, PICKER_DAYS, now, exclude=exclude)
    days = [(day, slots, day - horizon if day > last else None) for day, slots in found]
    if requested is None:  # no day chosen: open the first day with free times
        selected = next((day for day, slots, _opens in days if slots), selected)
    previous = strip_start - timedelta(days=PICKER_DAYS)
    following = strip_start + timedelta(days=PICKER_DAYS)
    return {
        "days": days,
        "selected": selected,
        "selected_slots": dict(found).get(selected, []),
        "previous": previous if previous >= today else None,
        "next": following if following <= last else None,
        "last_day": last,
        "beyond_horizon": any(opens for _day, _slots, opens in days),
        "horizon_days": settings.BOOKING_HORIZON_DAYS,
        "url": url,
        "zone": doctor.location.time_zone,
    }


def picker_heading_level(request, default: int = 2) -> int:
    """The heading level of a slot picker that htmx swaps in place: the one its page gave it.

    The picker sends its level along (`data-hx-vals` in includes/slot_picker.html), because one picker URL
    serves pages where it sits under the h1 (level 2) and the profile, where it sits under an h2 (3).
    Anything but "2"-"6" gives `default`, the level on the view's own page.
    """
    value = request.GET.get("heading_level", "")
    return int(value) if value in {"2", "3", "4", "5", "6"} else default


def mobile_limit_words(doctor) -> str:
    """The cap per mobile in words, for the mobile field (issue 15 item 3; BOOKING_MAX_PER_MOBILE)."""
    return _(
        "This mobile number already has %(count)s upcoming appointments with %(doctor)s, the most we take "
        "online for one number. Use another mobile number, or call us on %(phone)s to book."
    ) % {"count": settings.BOOKING_MAX_PER_MOBILE, "doctor": doctor.name, "phone": settings.CLINIC_PHONE}


def _requested_date(request):
    form = PickerForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("That date could not be read, so we show the next days instead."))
        return None
    return form.cleaned_data["date"]


class BookStartView(ListView):
    """Step 1: choose a doctor (optionally by specialty and city), each with their next free time."""

    template_name = "appointments/book_start.html"
    context_object_name = "doctor_list"
    paginate_by = 20

    def get_queryset(self):
        self.form = BookStartForm(self.request.GET or None)
        queryset = bookable_doctors()
        if self.form.is_bound:
            queryset = self.form.filter(queryset)
        return queryset.order_by("specialty__name", "name")

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(form=self.form, **kwargs)
        availability.next_free_slots(context["doctor_list"])
        return context


class SlotPickerView(DetailView):
    """Step 2: a doctor's free times, day by day; htmx swaps only the picker when a day is chosen."""

    template_name = "appointments/slot_picker.html"
    context_object_name = "doctor"

    def get_queryset(self):
        return bookable_doctors()

    def get_template_names(self):
        if self.request.htmx:
            return ["includes/slot_picker.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        url = reverse("appointments:picker", kwargs={"slug": self.object.slug})
        picker = picker_context(self.object, _requested_date(self.request), url=url)
        return super().get_context_data(
            picker=picker, mode="book", heading_level=picker_heading_level(self.request), **kwargs
        )


def _alternatives(doctor, start, now=None, exclude=None):
    """The three free times nearest to `start` (within three days either side)."""
    now = now or timezone.now()
    first_day = max(
        start.astimezone(doctor.location.zone).date() - timedelta(days=3),
        availability.local_today(doctor, now),
    )
    return nearest(availability.free_slots(doctor, first_day, 7, now, exclude=exclude), start, 3)


def _picker_on_day(doctor, picker_url: str, start: datetime | None, now: datetime | None = None) -> str:
    """The picker's URL opened on the local day of `start` (aware), or on its first free day when that day
    is unreadable, past or beyond the booking horizon."""
    if start is None:
        return picker_url
    day = start.astimezone(doctor.location.zone).date()
    today = availability.local_today(doctor, now)
    if not today <= day <= today + timedelta(days=settings.BOOKING_HORIZON_DAYS):
        return picker_url
    return f"{picker_url}?date={day.isoformat()}"


@limit_posts("booking")
def booking_details(request, slug):
    """Step 3: patient details. POST books, then redirects to the manage page (the confirmation)."""
    doctor = get_object_or_404(bookable_doctors(), slug=slug)
    picker_url = reverse("appointments:picker", kwargs={"slug": doctor.slug})
    context = {"doctor": doctor, "picker_url": picker_url, "policy": policy_summary()}
    if request.method == "POST":
        form = BookingForm(request.POST)
    else:
        start = parse_start(request.GET.get("start", "")[:40])
        token = hold_token_param(request.GET.get("hold", ""))
        opening = token is None
        if opening:  # from the picker: this browser's hold, if it has one, moves here (one hold per browser)
            token = _browser_hold(request)
        slot, taken = availability.slot_at(doctor, start, hold_token=token) if start else (None, False)
        if slot is None or taken:
            # A card's "Next available" that went meanwhile: the picker, on that day when it can still be booked.
            messages.error(request, _("That time is not available any more. Please choose another."))
            return redirect(_picker_on_day(doctor, picker_url, start))
        if opening:
            # Hold the time for the form's token, then show the form at a URL that carries the token,
            # so a reload keeps the same form and its hold instead of competing with it.
            token = token or uuid.uuid4()
            _hold_for_form(request, doctor, slot, token)
            query = urlencode({"start": request.GET["start"], "hold": str(token)})
            response = redirect(f"{reverse('appointments:details', kwargs={'slug': doctor.slug})}?{query}")
            response.set_signed_cookie(
                HOLD_COOKIE,
                str(token),
                salt=HOLD_COOKIE,
                max_age=settings.BOOKING_HOLD_MINUTES * 60 + 3600,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            return response
        hold = hold_of(token=token, doctor=doctor)
        if hold is None or hold.starts_at != slot.start or hold.expires_at <= timezone.now():
            hold = _hold_for_form(request, doctor, slot, token)
        form = BookingForm(initial={"start": request.GET["start"], "booking_token": token})
        context |= {"form": form, "slot": slot, "hold": hold, "hold_active": hold is not None}
        return render(request, "appointments/booking_form.html", context)

    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            appointment = appointment_book(doctor=doctor, **form.booking_details())
        except SlotTaken as error:
            form.add_error(None, error)
            status = 409
            context["alternatives"] = _alternatives(doctor, data["start"])
        except SlotUnavailable as error:
            form.add_error(None, error)
            context["alternatives"] = _alternatives(doctor, data["start"])
        except StaleForm as error:
            # Refused like any stale form: the details stay, with a fresh token for a deliberate new booking.
            fresh = request.POST.copy()
            fresh["booking_token"] = str(uuid.uuid4())
            form = BookingForm(fresh)
            form.is_valid()
            form.add_error(None, error)
            status = 409
        except MobileLimitReached:
            # Next to the mobile field: that is what to change (another family member's number, or call).
            status = 409
            context["already_booked"] = "mobile_limit"
            context["send_link_form"] = SendLinkForm(
                initial={"patient_phone": data["patient_phone"]}, auto_id="send_link_%s"
            )
            form.add_error("patient_phone", mobile_limit_words(doctor))
        except AlreadyBooked:
            # Said without details (no date, no link): the link goes only to the address on file.
            status = 409
            context["already_booked"] = "patient"
            context["send_link_form"] = SendLinkForm(
                initial={"patient_phone": data["patient_phone"]}, auto_id="send_link_%s"
            )
        else:
            return redirect(manage_url(appointment))
    start = getattr(form, "cleaned_data", {}).get("start")
    context["slot"] = availability.slot_at(doctor, start)[0] if start else None
    token = getattr(form, "cleaned_data", {}).get("booking_token")
    context["hold"] = (
        hold_of(token=token, doctor=doctor) if token and not context.get("alternatives") else None
    )
    context["hold_active"] = context["hold"] is not None and context["hold"].expires_at > timezone.now()
    return render(request, "appointments/booking_form.html", context | {"form": form}, status=status)


HOLD_COOKIE = "slot_hold"


def _browser_hold(request) -> uuid.UUID | None:
    """The token of the hold this browser placed last, while that hold exists (not booked, not released).

    Opening a time again from the picker (the back button, a second look) then reuses it, so the
    patient's own hold never shuts them out; opening another time moves it there.
    """
    token = hold_token_param(request.get_signed_cookie(HOLD_COOKIE, default="", salt=HOLD_COOKIE))
    return token if hold_of(token=token) is not None else None


def hold_token_param(value: str) -> uuid.UUID | None:
    """The form token carried in the details URL (`?hold=`), or None when absent or unreadable."""
    try:
        return uuid.UUID(value[:40])
    except ValueError:
        return None


def _hold_for_form(request, doctor, slot, token):
    """Hold `slot` for the form `token` (issue 15 item 1); None when it cannot be held now.

    A client address may place BOOKING_HOLD_LIMIT holds an hour: past that the form still works,
    without holding its time, so no script can hold a doctor's week.
    """
    if not allowance_left(request, "hold", settings.BOOKING_HOLD_LIMIT):
        return None
    try:
        return hold_place(doctor=doctor, starts_at=slot.start, token=token)
    except HoldRefused:
        return None


@require_POST
def hold_release_view(request, slug):
    """ "Choose another time": give the form's held time back, then show the picker on that day."""
    doctor = get_object_or_404(bookable_doctors(), slug=slug)
    token = hold_token_param(request.POST.get("booking_token", ""))
    hold = hold_of(token=token, doctor=doctor)
    url = reverse("appointments:picker", kwargs={"slug": doctor.slug})
    if hold is not None:
        day = hold.starts_at.astimezone(doctor.location.zone).date()
        hold_release(token=token)
        url = f"{url}?{urlencode({'date': day.isoformat()})}"
    return redirect(url)


def _from_token(request, token):
    try:
        return appointment_from_token(token), None
    except LinkExpired:
        return None, render(request, "appointments/link_expired.html", status=410)


def _visit_context(appointment, token: str, now=None) -> dict:
    """What the manage, cancel and reschedule pages share: where the visit stands and the policy in words."""
    window = change_window(appointment, now)
    return {
        "appointment": appointment,
        "token": token,
        "window": window,
        "state": window.state,
        "changeable": window.can_change,
        "window_words": window_words(appointment, window),
        "policy": policy_summary(),
        "price": appointment.price,
    }


class ManageView(DetailView):
    """The confirmation and manage page, at the private link: what happened, and only the actions that work."""

    template_name = "appointments/appointment_manage.html"
    context_object_name = "appointment"

    def get(self, request, *args, **kwargs):
        self.object, expired = _from_token(request, kwargs["token"])
        if expired:
            return expired
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        appointment = self.object
        context = _visit_context(appointment, self.kwargs["token"])
        if context["state"] == VisitState.COMPLETED:
            refusal = feedback_refusal(appointment)
            context["feedback"] = refusal or "due"
            context["feedback_url"] = feedback_url(appointment) if not refusal else None
        # The page's own address, shown as a field to copy when no email can carry it (no query string).
        context["private_link"] = self.request.build_absolute_uri(self.request.path)
        return super().get_context_data(what_to_bring=WHAT_TO_BRING, **context, **kwargs)


def _closed_visit(request, appointment, token):
    """A cancel or reschedule of a visit that is over (cancelled, completed, no-show, past): its manage page."""
    # After a double click the twin's banner ("cancelled") is still queued: it says it already.
    if request.method == "POST" and not len(messages.get_messages(request)):
        if appointment.is_active:
            text = _("The time of this appointment has passed, so it cannot be changed online.")
        else:
            text = NotActive(appointment).messages[0]
        messages.info(request, text)
    return redirect("appointments:manage", token=token)


@limit_posts("booking")
def appointment_cancel_view(request, token):
    """Ask first, then cancel (POST). A visit that is already over goes to its manage page, never a 500."""
    appointment, expired = _from_token(request, token)
    if expired:
        return expired
    context = _visit_context(appointment, token)
    if not context["window"].is_upcoming:
        return _closed_visit(request, appointment, token)
    form = CancelForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            try:
                appointment_cancel(appointment=appointment, reason=form.cleaned_data["reason"])
            except NotActive:  # a twin request cancelled it a moment ago
                return _closed_visit(request, Appointment.objects.get(pk=appointment.pk), token)
            except PastCutoff as error:
                form.add_error(None, error)
                status = 403
            else:
                messages.success(
                    request, _("Your appointment is cancelled. The time is free for someone else now.")
                )
                return redirect("appointments:manage", token=token)
    return render(request, "appointments/appointment_cancel.html", context | {"form": form}, status=status)


def _move_words(appointment, start) -> dict:
    return {"old": local_time(appointment.starts_at, appointment), "new": local_time(start, appointment)}


@limit_posts("booking")
def appointment_reschedule_view(request, token):
    """Choose a new time, confirm "Move from … to …?", then move (POST with confirm). Works without JavaScript."""
    appointment, expired = _from_token(request, token)
    if expired:
        return expired
    context = _visit_context(appointment, token)
    if not context["window"].is_upcoming:
        return _closed_visit(request, appointment, token)
    url = reverse("appointments:reschedule", kwargs={"token": token})
    status = 200
    error = None
    requested = None
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if not form.is_valid():
            error, status = _("That time could not be read. Please choose a time again."), 400
        elif not context["changeable"]:
            error, status = cutoff_refusal(), 403
        elif not form.cleaned_data["confirm"]:
            start = form.cleaned_data["start"]
            slot, taken = availability.slot_at(appointment.doctor, start, exclude=appointment)
            if start == appointment.starts_at:
                error, status = _("That is the time you already have. Please choose another."), 400
            elif slot is None:
                error, status = SlotUnavailable().messages[0], 400
            elif taken:
                error, status = SlotTaken().messages[0], 409
            else:
                context["proposed"] = slot
                context["move"] = _move_words(appointment, slot.start)
            requested = start.astimezone(appointment.location.zone).date()
        else:
            try:
                appointment_reschedule(appointment=appointment, starts_at=form.cleaned_data["start"])
            except NotActive:
                return _closed_visit(request, Appointment.objects.get(pk=appointment.pk), token)
            except PastCutoff as refused:
                error, status = refused.messages[0], 403
            except SlotTaken as refused:
                error, status = refused.messages[0], 409
            except SlotUnavailable as refused:
                error, status = refused.messages[0], 400
            else:
                messages.success(request, _("Your appointment is moved. Your reference stays the same."))
                return redirect("appointments:manage", token=token)
    else:
        requested = _requested_date(request)
    changeable = context["changeable"]
    context |= {
        "doctor": appointment.doctor,
        "error": error,
        "mode": "reschedule",
        "picker": picker_context(appointment.doctor, requested, url=url)
        if changeable and "proposed" not in context
        else None,
    }
    if request.htmx and request.method == "GET" and changeable:
        return render(
            request, "includes/slot_picker.html", context | {"heading_level": picker_heading_level(request)}
        )
    return render(request, "appointments/appointment_reschedule.html", context, status=status)


@require_GET
def appointment_calendar(request, token):
    appointment, expired = _from_token(request, token)
    if expired:
        return expired
    body = calendar.appointment_ics(appointment, host=request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.reference}.ics"'
    return response


def _api_error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@require_GET
def availability_api(request, slug):
    """Read-only free times: ?from=YYYY-MM-DD (default today) &days=N (1 to 31, default 7)."""
    try:
        doctor = bookable_doctors().get(slug=slug)
    except Doctor.DoesNotExist:
        return _api_error("No bookable doctor with this slug.", status=404)
    unknown = sorted(set(request.GET) - {"from", "days"})
    if unknown:
        return _api_error(f"Unknown parameter: {', '.join(unknown)[:100]}. Allowed: from, days.")
    today = availability.local_today(doctor)
    try:
        first_day = parse_date(request.GET.get("from", today.isoformat()), window=(date.min, date.max))
    except ParameterError:
        return _api_error("'from' must be a date as YYYY-MM-DD.")
    if first_day < today:
        return _api_error("'from' cannot be in the past.")
    if first_day > patient_window(today)[1]:
        return _api_error(
            f"'from' must be within the booking horizon ({settings.BOOKING_HORIZON_DAYS} days from today)."
        )
    try:
        days = parse_count(request.GET.get("days", "7"), low=1, high=API_MAX_DAYS)
    except ParameterError:
        return _api_error(f"'days' must be a whole number from 1 to {API_MAX_DAYS}.")
    found = availability.free_slots(doctor, first_day, days)
    return JsonResponse(
        {
            "doctor": doctor.slug,
            "time_zone": doctor.location.time_zone,
            "from": first_day.isoformat(),
            "days": days,
            "slot_minutes": int((found[0].end - found[0].start).total_seconds() // 60) if found else None,
            "slots": [
                {
                    "start": slot.local_start.isoformat(),
                    "end": slot.local_end.isoformat(),
                    "location": slot.location.slug,
                    "time_zone": slot.zone.key,
                }
                for slot in found
            ],
        }
    )
