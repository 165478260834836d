"""Admin: hours, time off and slot length inline on the doctor; appointments with filters and search."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from appointments.models import Appointment, DoctorSchedule, TimeOff, WorkingHours
from appointments.services import unique_reference
from doctors.admin import DoctorAdmin
from doctors.models import Doctor


class DoctorScheduleInline(admin.StackedInline):
    model = DoctorSchedule
    can_delete = False
    verbose_name_plural = _("booking settings")


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0
    fields = ["weekday", "starts_at", "ends_at", "location"]


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0
    fields = ["starts_at", "ends_at", "reason"]


# The doctors app imports no other app, so the booking inlines join its admin from here.
admin.site.unregister(Doctor)


@admin.register(Doctor)
class DoctorWithScheduleAdmin(DoctorAdmin):
    inlines = [*DoctorAdmin.inlines, DoctorScheduleInline, WorkingHoursInline, TimeOffInline]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["reference", "starts_at", "doctor", "location", "patient_name", "status", "source"]
    list_filter = ["status", "source", "doctor", "location"]
    list_select_related = ["doctor", "location"]
    search_fields = ["reference", "patient_phone", "patient_name"]
    date_hierarchy = "starts_at"
    readonly_fields = ["reference", "created_at", "updated_at", "cancelled_at"]
    raw_id_fields = ["doctor"]
    fieldsets = [
        (None, {"fields": ["reference", "doctor", "location", "starts_at", "ends_at", "status", "source"]}),
        (
            _("Patient"),
            {"fields": ["patient_name", "patient_phone", "patient_email", "visit_type", "reason"]},
        ),
        (_("History"), {"fields": ["cancel_reason", "cancelled_at", "created_at", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        if not obj.reference:  # an appointment added in the admin gets a reference like any other
            obj.reference = unique_reference()
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request, obj=None):
        # The slot and status change through services (issue 5: staff workflow), not raw edits.
        if obj is not None:
            return [*self.readonly_fields, "doctor", "location", "starts_at", "ends_at"]
        return self.readonly_fields
