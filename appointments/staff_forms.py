"""Forms of the staff side: schedule filters, status changes, booking for a caller, find, export."""

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from appointments.forms import BookingForm, StartField
from appointments.models import AppointmentSource, AppointmentStatus, StatusChange, VisitType
from clinic.params import WindowDateField
from clinic.validators import ConsentField, FreeTextField
from doctors.models import Doctor, Location

EXPORT_MAX_DAYS = 92


class DateInput(forms.DateInput):
    """`<input type="date">`: HTML allows only a valid YYYY-MM-DD value (or none) there, so a tampered
    value that is not a date is shown empty, with the field's error beside it."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)

    def format_value(self, value):
        if isinstance(value, str):
            try:
                date.fromisoformat(value)
            except ValueError:
                return None
        return super().format_value(value)


class DayForm(forms.Form):
    date = WindowDateField(label=_("Day"), required=False, widget=DateInput())
    location = forms.ModelChoiceField(
        Location.objects.active(), to_field_name="slug", required=False, label=_("Location"), empty_label=None
    )


class WeekForm(forms.Form):
    start = WindowDateField(required=False)


class StatusForm(forms.Form):
    """A status button's POST. `from_status` is the status the button was drawn for; the service
    refuses the change when the visit has moved on since (issue 12 finding 1)."""

    to_status = forms.ChoiceField(choices=AppointmentStatus)
    from_status = forms.ChoiceField(choices=AppointmentStatus, required=False)
    note = FreeTextField(
        label=_("Note (optional)"),
        required=False,
        max_length=StatusChange._meta.get_field("note").max_length,
    )


class PhoneBookingForm(BookingForm):
    """The booking form for the front desk: a caller on the phone or a walk-in at the desk.

    The patient's form, with its labels turned to the receptionist ("Patient's name", "First visit to
    this doctor?"), the time as a radio choice and the source (phone or walk-in) recorded on the booking
    and its consent (SPEC 3.5: "Book for a caller or a walk-in (source recorded)").
    """

    SOURCES = [
        (AppointmentSource.PHONE, _("On the phone")),
        (AppointmentSource.WALK_IN, _("Walk-in, here at the desk")),
    ]

    start = StartField(
        window="staff",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a time.")},
    )
    source = forms.ChoiceField(
        label=_("How is the patient booking?"),
        choices=SOURCES,
        initial=AppointmentSource.PHONE,
        required=False,  # the radio starts on "phone"; a form posted without it means the phone
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose phone or walk-in.")},
    )
    consent = ConsentField(
        label=_("The patient agreed to the privacy notice"),
        error_messages={"required": _("Ask the patient to agree to the privacy notice before booking.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["patient_name"].label = _("Patient's name")
        fields["patient_name"].error_messages["required"] = _("Enter the patient's name.")
        fields["patient_phone"].label = _("Patient's mobile number")
        fields["patient_phone"].help_text = _(
            "The clinic may call this number about the visit. No text messages are sent."
        )
        fields["patient_phone"].error_messages["required"] = _("Enter the patient's mobile number.")
        fields["patient_email"].label = _("Patient's email (optional)")
        fields["patient_email"].help_text = _("Needed to email the confirmation and the booking link.")
        fields["visit_type"].label = _("First visit to this doctor?")
        fields["visit_type"].choices = [
            (VisitType.FIRST, _("Yes, first visit")),
            (VisitType.FOLLOW_UP, _("No, a follow-up")),
        ]

    def clean_source(self) -> str:
        return self.cleaned_data["source"] or AppointmentSource.PHONE

    def booking_details(self) -> dict:
        """The cleaned answers as `appointment_book` keywords, the source included (after `is_valid()`)."""
        return {**super().booking_details(), "source": self.cleaned_data["source"]}


class BookStartForm(forms.Form):
    doctor = forms.ModelChoiceField(
        Doctor.objects.active().select_related("specialty").order_by("name"),
        to_field_name="slug",
        label=_("Doctor"),
    )
    date = WindowDateField(label=_("Day"), required=False, widget=DateInput())


class FindForm(forms.Form):
    q = forms.CharField(
        label=_("Reference, mobile number (4 or more digits) or name"),
        max_length=100,
        min_length=2,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class ExportForm(forms.Form):
    """A date range (local days, at most EXPORT_MAX_DAYS), location(s) (none ticked: all) and a doctor.

    Read from a GET query: the export page's own field names, or the short `from`, `to` and
    `location` of the day schedule's "Export this week" link; `location` may repeat.
    """

    date_from = WindowDateField(label=_("From"), widget=DateInput())
    date_to = WindowDateField(label=_("To (inclusive)"), widget=DateInput())
    location = forms.ModelMultipleChoiceField(
        Location.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        label=_("Locations (none ticked: all)"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose locations from the list.")},
    )
    doctor = forms.ModelChoiceField(
        Doctor.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        label=_("Doctor"),
        empty_label=_("All"),
        error_messages={"invalid_choice": _("Choose a doctor from the list.")},
    )

    def __init__(self, data=None, **kwargs):
        if data is not None:
            data = {
                "date_from": data.get("date_from") or data.get("from", ""),
                "date_to": data.get("date_to") or data.get("to", ""),
                "location": [
                    slug
                    for slug in (
                        data.getlist("location") if hasattr(data, "getlist") else data.get("location", [])
                    )
                    if slug
                ][:50],
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
