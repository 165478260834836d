"""Admin: privacy-notice versions (frozen once in effect), and read-only consent, anonymisation,
request and audit records; each appointment's consent and anonymisation on its change page."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from appointments.models import Appointment
from clinic.params import WindowDateField
from clinic.wallclock import wall_clock
from privacy.models import Anonymisation, Consent, DataRequest, PrivacyEvent, PrivacyNotice
from privacy.notices import notice_date_problem, notice_is_frozen, notice_publish, notice_update


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the services only: they can be read, never added, edited or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PrivacyNoticeForm(forms.ModelForm):
    class Meta:
        model = PrivacyNotice
        fields = ["effective_on", "summary", "body"]
        widgets = {"effective_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        field_classes = {"effective_on": WindowDateField}  # ISO, within two years of today (clinic.params)

    def clean_effective_on(self):
        effective_on = self.cleaned_data["effective_on"]
        problem = notice_date_problem(
            effective_on=effective_on, version=self.instance.version if self.instance.pk else None
        )
        if problem:
            raise ValidationError(problem)
        return effective_on


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    form = PrivacyNoticeForm
    list_display = ["version", "effective_on", "summary", "in_effect", "created_by"]
    list_select_related = ["created_by"]
    readonly_fields = ["version", "created_at", "created_by"]

    def view_on_site(self, obj):
        return obj.get_absolute_url()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["effective_on", "summary", "body"]
        return ["version", "effective_on", "summary", "body", "created_at", "created_by"]

    @admin.display(boolean=True, description=_("in effect or past"))
    def in_effect(self, obj):
        return notice_is_frozen(obj)

    def has_change_permission(self, request, obj=None):
        # Patients agreed to the exact text of a version in effect: it is shown, never edited.
        if obj is not None and notice_is_frozen(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # the history of the notice is kept whole

    def save_model(self, request, obj, form, change):
        if change:
            notice_update(notice=obj)
        else:
            notice_publish(notice=obj, by=request.user)


def clinic_time(value) -> str:
    """An instant not tied to one location (requests, the audit log), in the clinic's home zone."""
    return wall_clock(value, settings.TIME_ZONE).format("numeric") if value else "–"


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["appointment", "notice", "method", "given", "taken_by", "backfilled"]
    list_filter = ["notice", "method", "backfilled"]
    list_select_related = ["appointment__location", "notice", "taken_by"]
    search_fields = ["appointment__reference"]
    date_hierarchy = "given_at"

    @admin.display(description=_("given at"), ordering="given_at")
    def given(self, obj):
        return wall_clock(obj.given_at, obj.appointment).format("medium")


@admin.register(Anonymisation)
class AnonymisationAdmin(ReadOnlyAdmin):
    list_display = ["appointment", "when", "reason", "request"]
    list_filter = ["reason"]
    list_select_related = ["appointment__location"]
    search_fields = ["appointment__reference"]
    date_hierarchy = "at"

    @admin.display(description=_("at"), ordering="at")
    def when(self, obj):
        return wall_clock(obj.at, obj.appointment).format("medium")


@admin.register(DataRequest)
class DataRequestAdmin(ReadOnlyAdmin):
    """Read here, worked on at /staff/privacy/ (View on site)."""

    list_display = ["__str__", "opened", "requester", "channel", "masked", "state", "opened_by"]
    list_filter = ["state", "channel", "requester"]
    list_select_related = ["opened_by"]
    fields = [
        "requester",
        "channel",
        "identity_check",
        "masked",
        "state",
        "opened_by",
        "opened_at",
        "closed_at",
    ]
    date_hierarchy = "opened_at"

    def view_on_site(self, obj):
        return obj.get_absolute_url()

    @admin.display(description=_("opened at"), ordering="opened_at")
    def opened(self, obj):
        return clinic_time(obj.opened_at)


@admin.register(PrivacyEvent)
class PrivacyEventAdmin(ReadOnlyAdmin):
    list_display = ["when", "action", "request", "by"]
    list_filter = ["action"]
    list_select_related = ["request", "by"]
    date_hierarchy = "at"

    @admin.display(description=_("at"), ordering="at")
    def when(self, obj):
        return clinic_time(obj.at)


# Each appointment's consent and anonymisation join its admin page from here, on top of whatever
# class is registered (privacy comes after appointments and notifications in INSTALLED_APPS).
_appointment_admin = type(admin.site.get_model_admin(Appointment))
admin.site.unregister(Appointment)

PATIENT_FIELDS = [
    "patient_name",
    "patient_phone",
    "patient_email",
    "booker_name",
    "booker_relationship",
    "reason",
    "cancel_reason",
]


@admin.register(Appointment)
class AppointmentWithPrivacyAdmin(_appointment_admin):
    """The change page gains a "Privacy" section. The list is left alone: a `select_related` in
    `get_queryset` would switch off the changelist's own `list_select_related`."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.append((_("Privacy"), {"fields": ["privacy_record"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "privacy_record"]
        if obj is not None and hasattr(obj, "anonymisation"):
            fields += (
                PATIENT_FIELDS  # removed for good: nothing to edit (the empty mobile would not validate)
            )
        return fields

    @admin.display(description=_("Consent and patient details"))
    def privacy_record(self, obj):
        return render_to_string(
            "privacy/includes/appointment_privacy_admin.html",
            {"appointment": obj},
        )
