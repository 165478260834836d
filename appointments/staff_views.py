"""The staff side under /staff/: day and week schedules, the status workflow, booking for a caller or
a walk-in, print, and the doctors' calendar feeds (find: staff_find; exports: exports; undo and resend:
staff_workflow).

Every view checks permissions on every request (`appointments.access`); reads are class-based,
writes are short functions that call one service. Patient data never goes into a URL: find is a
POST that renders its results.
"""

import uuid
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, TemplateView

from appointments import availability, calendar, daygrid
from appointments.access import (
    BOOK,
    CHANGE,
    SEE_ALL,
    VIEW_SCHEDULE,
    StaffMixin,
    may_rotate_feed,
    own_doctor,
    staff_required,
    visible_appointments,
    visible_doctors,
)
from appointments.forms import RescheduleForm
from appointments.models import (
    Appointment,
    AppointmentSource,
    CalendarFeed,
    StaffProfile,
    WorkingHours,
)
from appointments.policy import is_changeable
from appointments.services import (
    AlreadyBooked,
    PastCutoff,
    SlotTaken,
    SlotUnavailable,
    StaleForm,
    allowed_transitions,
    appointment_book,
    appointment_reschedule,
    appointment_set_status,
    calendar_feed_rotate,
)
from appointments.staff_forms import (
    BookStartForm,
    DayForm,
    PhoneBookingForm,
    StatusForm,
    WeekForm,
)
from appointments.views import picker_context, picker_heading_level
from appointments.workflow import complete_waits, next_step_hints, undo_open
from clinic.redirects import safe_next
from doctors.models import Doctor, Location
from notifications.models import Message
from notifications.staff_views import attention_count

FEED_DAYS_AHEAD = 90


class StaffLoginView(LoginView):
    """Sign-in for staff and doctors; django-axes counts failures and locks out (settings.AXES_*)."""

    template_name = "registration/login.html"

    def get_default_redirect_url(self):
        user = self.request.user
        if user.has_perm(VIEW_SCHEDULE):
            return reverse("staff:day")
        if user.has_perm("privacy.handle_patient_data"):
            return reverse("privacy:requests")
        if user.is_staff:
            return reverse("admin:index")
        return reverse("home")


# Day schedule ---------------------------------------------------------------------------------


def day_bounds(day: date, zone) -> tuple[datetime, datetime]:
    return (
        datetime.combine(day, time.min, tzinfo=zone),
        datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone),
    )


def default_location(user, locations: list[Location]) -> Location | None:
    """The user's chosen location, else their doctor's main location, else the first active one."""
    by_pk = {location.pk: location for location in locations}
    profile = StaffProfile.objects.filter(user=user).only("default_location_id").first()
    if profile and profile.default_location_id in by_pk:
        return by_pk[profile.default_location_id]
    doctor = own_doctor(user)
    if doctor and doctor.location_id in by_pk:
        return by_pk[doctor.location_id]
    return locations[0] if locations else None


def decorate(appointment: Appointment, user, now: datetime) -> Appointment:
    """What the schedules and status buttons need: the local start (an aware datetime in the location's
    zone, for grouping by local day), its clock time as text ("09:00", under a heading that names the
    zone), the allowed next statuses (empty without the permission) with a sentence each on what they
    do, why Complete waits, and whether a no-show or completion may be undone (appointments.workflow)."""
    appointment.local_start = appointment.wall_clock.local_start
    appointment.local_time = appointment.wall_clock.format("clock")
    may_change = user.has_perm(CHANGE)
    appointment.transitions = allowed_transitions(appointment, now) if may_change else []
    appointment.next_steps = next_step_hints(appointment.transitions)
    appointment.complete_waits = complete_waits(appointment, now) if may_change else ""
    appointment.undo_open = may_change and undo_open(appointment, now)
    appointment.short_name = short_name(appointment.patient_name)
    return appointment


def short_name(name: str) -> str:
    """ "Priya Sharma" -> "Priya S." for button labels ("Check in Priya S., 10:30")."""
    words = name.split()
    if len(words) < 2:
        return name
    return f"{words[0]} {words[-1][0]}."


def day_schedule(request, *, free_slots: bool) -> dict:
    """Everything the day schedule and its print view show, in a fixed number of queries.

    Locations (1), the user's profile (1), doctors working or booked there that day (1), their
    appointments of the day (1), their working hours there (1), and for free slots the slot engine's
    window queries.
    """
    user = request.user
    now = timezone.now()
    form = DayForm(request.GET or None)
    data = {}
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
        else:
            messages.error(request, _("That day or location could not be read, so we show today."))
    locations = list(Location.objects.active())
    location = data.get("location") or default_location(user, locations)
    if location is None:
        return {"form": form, "location": None, "locations": locations}
    zone = location.zone
    day = data.get("date") or now.astimezone(zone).date()
    start, end = day_bounds(day, zone)

    day_appointments = Appointment.objects.filter(location=location, starts_at__gte=start, starts_at__lt=end)
    works_here = WorkingHours.objects.filter(doctor=OuterRef("pk"), location=location, weekday=day.weekday())
    doctors = list(
        visible_doctors(user)
        .filter(
            (Q(is_active=True) & Exists(works_here)) | Exists(day_appointments.filter(doctor=OuterRef("pk")))
        )
        .select_related("specialty")
        .order_by("name")
    )
    appointments = list(
        visible_appointments(user)
        .filter(
            location=location, starts_at__gte=start, starts_at__lt=end, doctor__in=[d.pk for d in doctors]
        )
        .select_related("location")
        .order_by("starts_at", "pk")
    )
    free = (
        availability.free_slots_by_doctor([d.pk for d in doctors], day, now, min_notice=timedelta(0))
        if free_slots and doctors and user.has_perm(BOOK)
        else {}
    )
    hours = WorkingHours.objects.filter(
        doctor__in=[d.pk for d in doctors], location=location, weekday=day.weekday()
    ).values_list("doctor_id", "starts_at", "ends_at")
    grid = daygrid.day_grid(
        doctors=doctors,
        day=day,
        zone=zone,
        now=now,
        hours=hours,
        appointments=[decorate(appointment, user, now) for appointment in appointments],
        free={
            doctor_id: [slot for slot in slots if slot.location.pk == location.pk]
            for doctor_id, slots in free.items()
        },
    )
    return {
        "form": DayForm(initial={"date": day, "location": location.slug}),
        "location": location,
        "locations": locations,
        "day": day,
        "today": now.astimezone(zone).date(),
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "grid": grid,
        "zone": zone,
        "can_book": user.has_perm(BOOK),
        "sees_all": user.has_perm(SEE_ALL),
        "next_url": request.get_full_path(),
        "week": [day - timedelta(days=day.weekday()) + timedelta(days=n) for n in (0, 6)],
    }


class DayView(StaffMixin, TemplateView):
    template_name = "appointments/staff_day.html"

    def get_context_data(self, **kwargs):
        context = day_schedule(self.request, free_slots=True)
        # The "N emails need attention" link (notifications/includes/failed_count.html): one query.
        context["failed_messages"] = attention_count(self.request.user, context.get("location"))
        return super().get_context_data(**context, **kwargs)


class PrintView(StaffMixin, TemplateView):
    """The day sheet for paper: no navigation, no free slots, no buttons; a print stylesheet."""

    template_name = "appointments/staff_print.html"

    def get_context_data(self, **kwargs):
        context = day_schedule(self.request, free_slots=False)
        context["printed_at"] = timezone.now()
        return super().get_context_data(**context, **kwargs)


# Week view ------------------------------------------------------------------------------------


class WeekView(StaffMixin, DetailView):
    """One doctor's week; a doctor asking for another doctor's week gets a 404."""

    template_name = "appointments/staff_week.html"
    context_object_name = "doctor"

    def get_queryset(self):
        return visible_doctors(self.request.user).select_related("location", "specialty")

    def get_context_data(self, **kwargs):
        doctor = self.object
        zone = doctor.location.zone
        now = timezone.now()
        form = WeekForm(self.request.GET or None)
        start = (form.cleaned_data["start"] if form.is_valid() else None) or now.astimezone(zone).date()
        if form.is_bound and not form.is_valid():
            messages.error(self.request, _("That date could not be read, so we show this week."))
        days = [start + timedelta(days=n) for n in range(7)]
        appointments = (
            visible_appointments(self.request.user)
            .filter(
                doctor=doctor,
                starts_at__gte=day_bounds(start, zone)[0] - timedelta(hours=14),
                starts_at__lt=day_bounds(days[-1], zone)[1] + timedelta(hours=14),
            )
            .select_related("location")
            .order_by("starts_at")
        )
        user = self.request.user
        appointments = [decorate(appointment, user, now) for appointment in appointments]
        for appointment in appointments:  # a week may cross a change of the clocks: each time says its zone
            appointment.local_time = appointment.wall_clock.format("time")
        by_day = {day: [] for day in days}
        for appointment in appointments:
            local_day = appointment.local_start.date()
            if local_day in by_day:
                by_day[local_day].append(appointment)
        can_book = user.has_perm(BOOK) and doctor.is_active
        grid = daygrid.week_grid(
            doctor=doctor,
            days=days,
            zone=zone,
            now=now,
            hours=WorkingHours.objects.filter(doctor=doctor).values_list("weekday", "starts_at", "ends_at"),
            appointments=appointments,
            free=availability.free_slots(doctor, start, 7, now, min_notice=timedelta(0)) if can_book else [],
        )
        feed = CalendarFeed.objects.filter(doctor=doctor).first()
        may_rotate = may_rotate_feed(self.request.user, doctor)
        return super().get_context_data(
            days=list(by_day.items()),
            grid=grid,
            can_book=can_book,
            start=start,
            previous_week=start - timedelta(days=7),
            next_week=start + timedelta(days=7),
            feed=feed,
            feed_url=self.request.build_absolute_uri(reverse("appointments:doctor-feed", args=[feed.token]))
            if feed and may_rotate
            else None,
            may_rotate=may_rotate,
            next_url=self.request.get_full_path(),
            **kwargs,
        )


# One appointment and its workflow ------------------------------------------------------------


def _appointment_or_404(user, reference: str) -> Appointment:
    return get_object_or_404(
        visible_appointments(user).select_related(
            "doctor__specialty", "location", "consent__notice", "consent__taken_by", "anonymisation"
        ),
        reference=reference,
    )


class AppointmentView(StaffMixin, DetailView):
    template_name = "appointments/staff_appointment.html"
    context_object_name = "appointment"

    def get_object(self, queryset=None):
        return decorate(
            _appointment_or_404(self.request.user, self.kwargs["reference"]),
            self.request.user,
            timezone.now(),
        )

    def get_context_data(self, **kwargs):
        appointment = self.object
        user = self.request.user
        return super().get_context_data(
            changes=appointment.status_changes.select_related("by"),
            emails=Message.objects.for_appointment(appointment),
            can_change=user.has_perm(CHANGE) and appointment.is_active,
            can_resend=user.has_perm(CHANGE),
            past_cutoff=not is_changeable(appointment),
            admin_url=reverse("admin:appointments_appointment_change", args=[appointment.pk])
            if user.is_staff and user.has_perm("appointments.view_appointment")
            else None,
            next_url=reverse("staff:appointment", args=[appointment.reference]),
            **kwargs,
        )


def appointment_page(
    request, reference: str, *, undo_error: str, undo_reason: str, status: int
) -> HttpResponse:
    """The staff appointment page drawn again after a refused POST (not a redirect), so what was typed
    stays: the undo's `undo_error` beside its reason field holding `undo_reason` when the undo is still
    offered, else the error as a message at the top. Out: an HttpResponse with `status`."""
    view = AppointmentView()
    view.setup(request, reference=reference)
    view.object = view.get_object()
    if view.object.undo_open:
        view.object.undo_error, view.object.undo_reason = undo_error, undo_reason
    else:
        messages.error(request, undo_error)
    return render(request, view.template_name, view.get_context_data(object=view.object), status=status)


# Where a status, undo or resend POST may send the receptionist back to (issue 12 finding 7): the
# pages those buttons are on. Any other page, or another visit's page, falls back to this visit's.
NEXT_PAGES = frozenset({"staff:day", "staff:week", "staff:find"})


def _safe_next(request, fallback: str, reference: str | None = None) -> str:
    """The POST's `next` when it is a same-site path (clinic.redirects.safe_next) to a staff day, week or
    find page, or to the page of the appointment `reference`; else `fallback`. In: the request, a
    fallback URL (str), the reference of the appointment being changed. Out: a URL path (str). Never
    raises."""
    target = safe_next(request, "")
    if not target:
        return fallback
    try:
        match = resolve(urlsplit(target).path)
    except Resolver404:
        return fallback
    if match.view_name in NEXT_PAGES:
        return target
    if match.view_name == "staff:appointment" and reference and match.kwargs.get("reference") == reference:
        return target
    return fallback
    try:
        match = resolve(urlsplit(target).path)
    except Resolver404:
        return fallback
    if match.view_name in NEXT_PAGES:
        return target
    if match.view_name == "staff:appointment" and reference and match.kwargs.get("reference") == reference:
        return target
    return fallback


@staff_required(CHANGE)
def appointment_status(request, reference):
    """POST a new status. With htmx the day schedule's card is swapped in place; without, redirect back."""
    appointment = _appointment_or_404(request.user, reference)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = StatusForm(request.POST)
    error = None
    if not form.is_valid():
        error = _("Choose a status.")
    else:
        try:
            appointment = appointment_set_status(
                appointment=appointment,
                to_status=form.cleaned_data["to_status"],
                by=request.user,
                note=form.cleaned_data["note"],
                expected_status=form.cleaned_data["from_status"] or None,
            )
        except ValidationError as refused:
            error = refused.messages[0]
    if request.htmx:
        fresh = decorate(_appointment_or_404(request.user, reference), request.user, timezone.now())
        context = {
            "appointment": fresh,
            "error": error,
            "next_url": _safe_next(request, "", reference),
            "can_book": False,
        }
        return render(request, "appointments/staff_day.html#appointment-card", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("%(reference)s is now %(status)s.")
            % {"reference": appointment.reference, "status": appointment.get_status_display().lower()},
        )
    return redirect(_safe_next(request, reverse("staff:appointment", args=[reference]), reference))


@staff_required(CHANGE)
def appointment_reschedule_staff(request, reference):
    """Move a visit for a caller, past the patients' cut-off if need be (recorded as an override)."""
    appointment = _appointment_or_404(request.user, reference)
    url = reverse("staff:reschedule", args=[reference])
    error, status = None, 200
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if form.is_valid():
            try:
                appointment_reschedule(
                    appointment=appointment,
                    starts_at=form.cleaned_data["start"],
                    by=request.user,
                    override=True,
                )
            except (SlotTaken, SlotUnavailable, PastCutoff) as refused:
                error, status = refused.messages[0], 409
            except ValidationError as refused:
                error, status = refused.messages[0], 400
            else:
                messages.success(request, _("Moved. The reference stays the same."))
                return redirect("staff:appointment", reference=reference)
        else:
            error, status = _("That time could not be read. Please choose a time again."), 400
    requested = None
    if request.method == "GET":
        week = WeekForm({"start": request.GET.get("date", "")})
        requested = week.cleaned_data["start"] if week.is_valid() else None
    context = {
        "appointment": appointment,
        "doctor": appointment.doctor,
        "error": error,
        "mode": "reschedule",
        "picker": picker_context(appointment.doctor, requested, url=url, exclude=appointment)
        if appointment.is_active
        else None,
    }
    if request.htmx and request.method == "GET" and appointment.is_active:
        return render(
            request, "includes/slot_picker.html", context | {"heading_level": picker_heading_level(request)}
        )
    return render(request, "appointments/staff_reschedule.html", context, status=status)


# Booking for a caller -------------------------------------------------------------------------


@staff_required(BOOK)
def book_start(request):
    form = BookStartForm(request.GET or None)
    if form.is_valid():
        url = reverse("staff:book-doctor", args=[form.cleaned_data["doctor"].slug])
        if form.cleaned_data["date"]:
            url += f"?date={form.cleaned_data['date']:%Y-%m-%d}"
        return redirect(url)
    return render(request, "appointments/staff_book_start.html", {"form": form})


@staff_required(BOOK)
def book_for_caller(request, slug):
    """One screen: the day's free times (no minimum notice) and the caller's details."""
    doctor = get_object_or_404(Doctor.objects.active().select_related("location", "specialty"), slug=slug)
    now = timezone.now()
    zone = doctor.location.zone
    source = request.POST if request.method == "POST" else request.GET
    day_form = WeekForm({"start": source.get("date", "")})
    day = (day_form.cleaned_data["start"] if day_form.is_valid() else None) or now.astimezone(zone).date()
    status = 200
    context = {"doctor": doctor, "day": day, "zone": zone}
    if request.method == "POST":
        form = PhoneBookingForm(request.POST)
        if form.is_valid():
            try:
                appointment = appointment_book(
                    doctor=doctor,
                    **form.booking_details(),
                    by=request.user,
                    skip_min_notice=True,
                )
            except AlreadyBooked as refused:
                form.add_error(None, refused)
                context["existing"] = refused.existing
                status = 409
            except StaleForm as refused:  # the form's token booked other details: a fresh token, details kept
                fresh = request.POST.copy()
                fresh["booking_token"] = str(uuid.uuid4())
                form = PhoneBookingForm(fresh)
                form.is_valid()
                form.add_error(None, refused)
                status = 409
            except (SlotTaken, SlotUnavailable) as refused:
                form.add_error("start", refused)
                status = 409
            else:
                text = (
                    _("Booked for the walk-in. Reference %(reference)s: please write it down for them.")
                    if appointment.source == AppointmentSource.WALK_IN
                    else _("Booked for the caller. Reference %(reference)s: please read it out.")
                )
                messages.success(request, text % {"reference": appointment.reference})
                return redirect("staff:appointment", reference=appointment.reference)
        else:
            status = 400
    else:
        form = PhoneBookingForm(
            initial={"start": request.GET.get("start", "")[:40], "booking_token": uuid.uuid4()}
        )
    slots = availability.free_slots_by_doctor([doctor.pk], day, now, min_notice=timedelta(0)).get(
        doctor.pk, []
    )
    chosen = str(form["start"].value() or "")
    context |= {
        "form": form,
        "slots": slots,
        "chosen": chosen,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
    }
    return render(request, "appointments/staff_book.html", context, status=status)


# Find (appointments.staff_find) and exports (appointments.exports) live in their own modules.


# Calendar feeds -------------------------------------------------------------------------------


@require_GET
def doctor_feed(request, token):
    """A doctor's private .ics feed, public by its unguessable token; rotating the token kills the URL."""
    feed = get_object_or_404(CalendarFeed.objects.select_related("doctor"), token=token)
    now = timezone.now()
    appointments = (
        Appointment.objects.active()
        .filter(
            doctor=feed.doctor,
            ends_at__gte=now - timedelta(days=1),
            starts_at__lt=now + timedelta(days=FEED_DAYS_AHEAD),
        )
        .select_related("location")
        .order_by("starts_at")
    )
    body = calendar.doctor_feed_ics(feed.doctor, appointments, host=request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["X-Robots-Tag"] = "noindex"  # no-store: clinic.middleware (settings.PATIENT_DATA_URLS)
    return response


@staff_required()
def feed_rotate(request, slug):
    """POST: a new feed token for the doctor (front desk for anyone, a doctor for themselves)."""
    doctor = get_object_or_404(visible_doctors(request.user), slug=slug)
    if not may_rotate_feed(request.user, doctor):
        raise Http404("No such doctor")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    calendar_feed_rotate(doctor=doctor)
    messages.success(request, _("A new calendar link is ready. The old link no longer works."))
    return redirect("staff:week", slug=slug)
