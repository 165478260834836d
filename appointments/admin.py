"""Admin: hours, time off and slot length inline on the doctor; appointments with filters and search."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from appointments.models import (
    Appointment,
    DoctorSchedule,
    StaffProfile,
    StatusChange,
    TimeOff,
    WorkingHours,
)
from appointments.services import SlotTaken, SlotUnavailable, appointment_book
from appointments.slots import END_OF_DAY
from clinic.validators import check_mobile, clean_person_name
from clinic.wallclock import wall_clock
from doctors.admin import DoctorAdmin
from doctors.models import Doctor


class DoctorScheduleInline(admin.StackedInline):
    model = DoctorSchedule
    can_delete = False
    verbose_name_plural = _("booking settings")


class EndOfDayTimeField(forms.TimeField):
    """An interval's end on the wall clock, where "24:00" is midnight at the end of the day.

    "24:00" (also "24:00:00", "24.00") and "00:00" both clean to `END_OF_DAY` (00:00), and a stored
    00:00 is shown as "24:00", so an editor sees and types the hours as they are spoken. Anything past
    24:00 is refused like any unreadable time.
    """

    _MIDNIGHT = {"24:00", "24:00:00", "24.00", "24"}

    def to_python(self, value):
        if isinstance(value, str) and value.strip() in self._MIDNIGHT:
            return END_OF_DAY
        return super().to_python(value)

    def prepare_value(self, value):
        return "24:00" if value == END_OF_DAY else super().prepare_value(value)


class WorkingHoursForm(forms.ModelForm):
    class Meta:
        model = WorkingHours
        fields = ["weekday", "starts_at", "ends_at", "location"]
        field_classes = {"ends_at": EndOfDayTimeField}


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    form = WorkingHoursForm
    extra = 0
    fields = ["weekday", "starts_at", "ends_at", "location"]


class TimeOffInline(admin.TabularInline):
    """Typed and shown on the doctor's main location's wall clock (see DoctorWithScheduleAdmin)."""

    model = TimeOff
    extra = 0
    fields = ["starts_at", "ends_at", "reason"]


# The doctors app imports no other app, so the booking inlines join its admin from here.
admin.site.unregister(Doctor)


@admin.register(Doctor)
class DoctorWithScheduleAdmin(DoctorAdmin):
    inlines = [*DoctorAdmin.inlines, DoctorScheduleInline, WorkingHoursInline, TimeOffInline]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """An existing doctor's page reads and writes time off in the zone of the doctor's main location
        (a London doctor's "09:00" is 09:00 in London), not the server's default.

        The response is rendered inside the override: a TemplateResponse would otherwise render later,
        back in the default zone.
        """
        doctor = self.get_object(request, object_id) if object_id else None
        if doctor is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with timezone.override(doctor.location.zone):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()
        return response

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            if isinstance(inline, TimeOffInline) and obj is not None:
                inline.verbose_name_plural = _("time off (times in %(zone)s)") % {
                    "zone": obj.location.time_zone
                }
        return inlines


class StatusChangeInline(admin.TabularInline):
    """The audit trail, read-only: it is written by the services, never edited."""

    model = StatusChange
    extra = 0
    can_delete = False
    fields = ["local_at", "by", "from_status", "to_status", "note", "override"]
    readonly_fields = fields
    ordering = ["at", "pk"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("at"), ordering="at")
    def local_at(self, obj):
        return wall_clock(obj.at, obj.appointment).format("numeric")


class AppointmentAdminForm(forms.ModelForm):
    """The admin's appointment form. Names and mobiles follow clinic.validators like every other form;
    a new appointment is booked by `appointment_book` (the rules everyone books by: working hours,
    time off, one active visit per slot, one per patient per doctor), its refusal shown on the form.

    `user` (set by `AppointmentAdmin.get_form`) is recorded as the member of staff who booked.
    """

    user = None

    class Meta:
        model = Appointment
        fields = [
            "doctor",
            "starts_at",
            "source",
            "patient_name",
            "patient_phone",
            "patient_email",
            "visit_type",
            "reason",
        ]

    def clean_patient_name(self):
        return clean_person_name(self.cleaned_data["patient_name"])

    def clean_patient_phone(self):
        number = self.cleaned_data["patient_phone"]
        if number:
            check_mobile(number, str(self.data.get(self.add_prefix("patient_phone"), "")))
        return number

    def _post_clean(self):
        super()._post_clean()
        if not self.instance._state.adding or self.errors:
            return
        data = self.cleaned_data
        try:
            booked = appointment_book(
                doctor=data["doctor"],
                starts_at=data["starts_at"],
                patient_name=data["patient_name"],
                patient_phone=data["patient_phone"],
                patient_email=data.get("patient_email", ""),
                reason=data.get("reason", ""),
                visit_type=data["visit_type"],
                source=data["source"],
                by=self.user,
                skip_min_notice=True,
            )
        except ValidationError as refused:
            self.add_error("starts_at" if isinstance(refused, SlotUnavailable | SlotTaken) else None, refused)
        else:
            self.instance = booked


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["reference", "when", "doctor", "location", "patient_name", "status", "source"]
    list_filter = ["status", "source", "doctor", "location"]
    list_select_related = ["doctor", "location"]
    # The reference only: the admin's search is a GET, so a name or mobile number typed here would sit
    # in the URL, the browser history and access logs. Patients are found on the staff Find page (a POST).
    search_fields = ["=reference"]
    date_hierarchy = "starts_at"
    readonly_fields = ["reference", "when", "created_at", "updated_at", "cancelled_at"]
    raw_id_fields = ["doctor"]
    inlines = [StatusChangeInline]
    form = AppointmentAdminForm

    def view_on_site(self, obj):
        return reverse("staff:appointment", args=[obj.reference])

    @property
    def search_help_text(self):
        return format_html(
            _(
                'Search by reference. To find a patient by name or mobile number, use <a href="{url}">Find</a> '
                "on the staff pages, which keeps them out of web addresses."
            ),
            url=reverse("staff:find"),
        )

    fieldsets = [
        (None, {"fields": ["reference", "doctor", "location", "starts_at", "ends_at", "status", "source"]}),
        (
            _("Patient"),
            {
                "fields": [
                    "patient_name",
                    "patient_phone",
                    "patient_email",
                    "booker_name",
                    "booker_relationship",
                    "visit_type",
                    "reason",
                ]
            },
        ),
        (_("History"), {"fields": ["cancel_reason", "cancelled_at", "created_at", "updated_at"]}),
    ]

    @admin.display(description=_("when (location time)"), ordering="starts_at")
    def when(self, obj):
        """The visit on its location's wall clock (a saved visit shows this instead of its raw fields)."""
        return obj.wall_clock.format("span") if obj.pk else "–"

    def get_fieldsets(self, request, obj=None):
        # A saved visit shows its time once, on its location's wall clock ("when"), in place of the raw
        # fields, which would show the same instants in the server's zone.
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        swap = {"starts_at": ["when"], "ends_at": []}
        return [
            (
                name,
                {**options, "fields": [f for field in options["fields"] for f in swap.get(field, [field])]},
            )
            for name, options in fieldsets
        ]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        # A new appointment was booked (and its audit trail started) by the form's call to
        # appointment_book; saving it again only stores the same values.
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request, obj=None):
        # The slot and status change through services (the staff workflow, with its audit trail),
        # not raw edits.
        if obj is not None:
            return [*self.readonly_fields, "doctor", "location", "starts_at", "ends_at", "status"]
        # A new one is booked by appointment_book, which takes the location and the end from the slot
        # and starts it as booked.
        return [*self.readonly_fields, "location", "ends_at", "status", "cancel_reason"]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "default_location"]
    list_select_related = ["user", "default_location"]
    raw_id_fields = ["user"]
