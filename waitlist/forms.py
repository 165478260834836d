"""Forms of the waitlist: joining from a doctor's picker or from a booking's manage page; the staff filter."""

from datetime import date

from django import forms
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clinic.params import WindowDateField
from clinic.validators import ConsentField, MobileNumberField, PersonNameField
from privacy.notices import notice_current
from waitlist.models import PartOfDay


class DatePickerInput(forms.DateInput):
    """`<input type="date">`: its value must be a date (YYYY-MM-DD) or empty, or the HTML is invalid.

    A browser's date picker only sends such values; anything else (a hand-made request) is shown
    empty, with the field's error beside it.
    """

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        text = super().format_value(value)
        try:
            date.fromisoformat(text or "")
        except ValueError:
            return None
        return text


class JoinForm(forms.Form):
    """ "Tell me if an earlier time frees up". With `for_booking` only the wishes and the email are
    asked: name and mobile come from the booking, whose consent is on record."""

    not_after = forms.DateField(
        label=_("Up to which day would a time suit you?"),
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": _("Choose the last day that would suit you."),
            "invalid": _("Enter a date."),
        },
        widget=DatePickerInput(),
    )
    part_of_day = forms.ChoiceField(
        label=_("Time of day"), choices=PartOfDay, initial=PartOfDay.ANY, widget=forms.RadioSelect
    )
    patient_name = PersonNameField(
        label=_("Full name"),
        max_length=120,
        error_messages={"required": _("Enter the full name of the patient.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    patient_phone = MobileNumberField(
        label=_("Mobile number"),
        error_messages={"required": _("Enter a mobile number so we can reach you about the visit.")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    patient_email = forms.EmailField(
        label=_("Email"),
        help_text=_("We email you the moment a time comes free, with a link to take it."),
        error_messages={"required": _("Enter an email address: that is where we send the earlier time.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = ConsentField(
        label=_("I agree to the privacy notice"),
        error_messages={"required": _("Please agree to the privacy notice so we can hold your details.")},
    )

    def __init__(self, *args, for_booking: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.notice = None
        if for_booking:
            for name in ("patient_name", "patient_phone", "consent"):
                del self.fields[name]
            return
        self.notice = notice_current()
        self.fields["consent"].help_text = format_html(
            '<a href="{}">{}</a>',
            reverse("privacy"),
            _("Read the privacy notice (version %(version)s, in effect since %(date)s)")
            % {"version": self.notice.version, "date": date_format(self.notice.effective_on, "j F Y")},
        )


class StaffWaitlistForm(forms.Form):
    """The staff page's filter: one doctor (of those the user may see) and one day."""

    doctor = forms.ModelChoiceField(queryset=None, to_field_name="slug", label=_("Doctor"), required=False)
    date = WindowDateField(
        label=_("Day"),
        required=False,
        widget=DatePickerInput(),
    )

    def __init__(self, *args, doctors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doctor"].queryset = doctors
        self.fields["doctor"].empty_label = None
