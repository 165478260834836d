"""Forms of the staff side: schedule filters, status changes, booking for a caller, find, export."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from appointments.forms import BookingForm, StartField
from appointments.models import AppointmentStatus
from doctors.models import Doctor, Location

EXPORT_MAX_DAYS = 92


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DayForm(forms.Form):
    date = forms.DateField(label=_("Day"), required=False, input_formats=["%Y-%m-%d"], widget=DateInput())
    location = forms.ModelChoiceField(
        Location.objects.active(), to_field_name="slug", required=False, label=_("Location"), empty_label=None
    )


class WeekForm(forms.Form):
    start = forms.DateField(required=False, input_formats=["%Y-%m-%d"])


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(choices=AppointmentStatus)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=200)


class PhoneBookingForm(BookingForm):
    """The patient's booking form, filled in by the front desk for a caller; the time is a radio choice."""

    start = StartField(
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a time.")},
    )
    consent = forms.BooleanField(
        label=_("The caller agreed to the privacy notice"),
        error_messages={"required": _("Ask the caller to agree to the privacy notice before booking.")},
    )


class BookStartForm(forms.Form):
    doctor = forms.ModelChoiceField(
        Doctor.objects.active().select_related("specialty").order_by("name"),
        to_field_name="slug",
        label=_("Doctor"),
    )
    date = forms.DateField(label=_("Day"), required=False, input_formats=["%Y-%m-%d"], widget=DateInput())


class FindForm(forms.Form):
    q = forms.CharField(
        label=_("Reference, mobile number or name"),
        max_length=100,
        min_length=2,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class ExportForm(forms.Form):
    date_from = forms.DateField(label=_("From"), input_formats=["%Y-%m-%d"], widget=DateInput())
    date_to = forms.DateField(label=_("To (inclusive)"), input_formats=["%Y-%m-%d"], widget=DateInput())
    location = forms.ModelChoiceField(
        Location.objects.all(),
        to_field_name="slug",
        required=False,
        label=_("Location"),
        empty_label=_("All"),
    )
    doctor = forms.ModelChoiceField(
        Doctor.objects.all(), to_field_name="slug", required=False, label=_("Doctor"), empty_label=_("All")
    )

    def __init__(self, data=None, **kwargs):
        # The URL speaks `from` and `to`; Python cannot name a field `from`.
        if data is not None:
            data = {
                "date_from": data.get("from", ""),
                "date_to": data.get("to", ""),
                "location": data.get("location", ""),
                "doctor": data.get("doctor", ""),
            }
        super().__init__(data, **kwargs)

    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last:
            if last < first:
                raise forms.ValidationError(_("The end date is before the start date."))
            if last - first >= timedelta(days=EXPORT_MAX_DAYS):
                raise forms.ValidationError(
                    _("Export at most %(days)s days at a time.") % {"days": EXPORT_MAX_DAYS}
                )
        return data
