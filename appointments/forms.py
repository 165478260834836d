"""Forms of the booking flow: the slot picker's date, patient details, cancel and reschedule."""

import uuid
from datetime import datetime

from django import forms
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from appointments.models import REFERENCE_ALPHABET, REFERENCE_LENGTH, Appointment, Relationship, VisitType
from appointments.services import same_patient_name
from clinic.params import InstantField, ParameterError, WindowDateField, instant_window, parse_instant
from clinic.validators import ConsentField, FreeTextField, MobileNumberField, PersonNameField
from doctors.models import Location, Specialty
from privacy.notices import notice_current


def parse_start(value: str) -> datetime | None:
    """An aware instant in UTC from the picker's ISO-8601 text (clinic.params rules, patient window);
    None if unreadable or outside the days we book."""
    try:
        return parse_instant(value, window=instant_window("patient"))
    except ParameterError:
        return None


class StartField(InstantField):
    """A slot's start as the picker wrote it (ISO 8601 with an offset), cleaned to an aware UTC datetime
    by clinic.params (ASCII digits, bounded: the patient window unless `window="staff"`)."""


class PickerForm(forms.Form):
    # The staff window only keeps the arithmetic sane: picker_context clamps the day to today..horizon.
    date = WindowDateField(window="staff", required=False)


class BookStartForm(forms.Form):
    """Step 1's filters (a GET form): specialty and city; a bad value is reported next to its field."""

    specialty = forms.ModelChoiceField(
        Specialty.objects.all(), to_field_name="slug", required=False, empty_label=_("Any specialty")
    )
    city = forms.ChoiceField(label=_("City"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cities = Location.objects.active().order_by("city").values_list("city", flat=True).distinct()
        self.fields["city"].choices = [("", _("Any city")), *((city, city) for city in cities)]

    def filter(self, queryset):
        """Apply the valid filters; an invalid one is ignored (its error shows on the form)."""
        self.is_valid()
        if specialty := self.cleaned_data.get("specialty"):
            queryset = queryset.filter(specialty=specialty)
        if city := self.cleaned_data.get("city"):
            queryset = queryset.filter(location__city=city)
        return queryset


FOR_ME = "me"
FOR_SOMEONE_ELSE = "someone_else"


class BookingForm(forms.Form):
    start = StartField()
    booking_token = forms.UUIDField(widget=forms.HiddenInput)
    # "Who is this appointment for?" (issue 15 item 3): these four fields are one fieldset of the page
    # (templates/appointments/includes/booking_for_whom.html), the rest follow in order.
    for_whom = forms.ChoiceField(
        label=_("Who is this appointment for?"),
        choices=[(FOR_ME, _("Me")), (FOR_SOMEONE_ELSE, _("Someone else"))],
        initial=FOR_ME,
        required=False,  # not sent (an older form, a script): the patient booked for themselves
        widget=forms.RadioSelect,
    )
    patient_name = PersonNameField(
        label=_("Full name"),
        max_length=Appointment._meta.get_field("patient_name").max_length,
        help_text=_("Of the person who will see the doctor."),
        error_messages={"required": _("Enter the full name of the patient.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    booker_name = PersonNameField(
        label=_("Your own name"),
        max_length=Appointment._meta.get_field("booker_name").max_length,
        required=False,
        help_text=_("We send the confirmation and reminders to you, at your mobile number and email below."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    booker_relationship = forms.ChoiceField(
        label=_("The patient is your"),
        choices=[("", _("Choose one")), *Relationship.choices],
        required=False,
    )
    patient_phone = MobileNumberField(
        label=_("Mobile number"),
        error_messages={"required": _("Enter a mobile number so we can reach you about the visit.")},
        help_text=_(
            "The clinic may call this number about your appointment, for example if the doctor's plans "
            "change. We do not send text messages."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    patient_email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        max_length=Appointment._meta.get_field("patient_email").max_length,
        help_text=_("Needed if you want the confirmation by email."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    reason = FreeTextField(
        label=_("Reason for visit (optional)"),
        required=False,
        max_length=Appointment._meta.get_field("reason").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    visit_type = forms.ChoiceField(
        label=_("Is this your first visit to this doctor?"),
        choices=VisitType,
        initial=VisitType.FIRST,
        widget=forms.RadioSelect,
    )
    consent = ConsentField(
        label=_("I agree to the privacy notice"),
        error_messages={"required": _("Please agree to the privacy notice so we can hold your details.")},
    )
    # The notice version shown beside the box when the form was opened: the one the patient agrees to.
    privacy_notice = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.notice = notice_current()
        self.fields["privacy_notice"].initial = self.notice.version
        self.fields["consent"].help_text = format_html(
            '<a href="{}">{}</a>',
            reverse("privacy"),
            _("Read the privacy notice (version %(version)s, in effect since %(date)s)")
            % {"version": self.notice.version, "date": date_format(self.notice.effective_on, "j F Y")},
        )

    FOR_WHOM_FIELDS = ("for_whom", "patient_name", "booker_name", "booker_relationship")

    def clean(self):
        """A notice that changed while the form was open needs agreeing again (SPEC 5: consent on record).

        The form then shows the new version and an unticked box; everything else typed stays. Booking
        for someone else needs the booker's own name and the relationship, each refused next to its field.
        """
        data = super().clean()
        self._clean_for_whom(data)
        if "booking_token" in self.errors:
            # A hidden token that is missing or not a UUID (an edited page, a broken client) would leave
            # the form refused with its only error on a hidden field, shown nowhere (issue 12 finding 8).
            # Say so at the top and give the form a fresh token; the typed details stay. Nothing is written.
            del self.errors["booking_token"]
            self.data = self.data.copy()
            self.data["booking_token"] = str(uuid.uuid4())
            self.add_error(
                None,
                _(
                    "This form could not be read as it was sent (part of it was missing or changed). "
                    "Nothing was booked. Check the details and send it again."
                ),
            )
        shown = data.get("privacy_notice")
        if shown and shown != str(self.notice.version):
            self.data = self.data.copy()
            self.data["privacy_notice"] = str(self.notice.version)
            self.data.pop("consent", None)
            self.add_error(
                "consent",
                _(
                    "The privacy notice has changed since this form was opened (it is now version "
                    "%(version)s). Please read it and tick the box again."
                )
                % {"version": self.notice.version},
            )
        return data

    def _clean_for_whom(self, data: dict) -> None:
        """For "Me" the booker fields are dropped (they may hold what was typed before switching)."""
        if data.get("for_whom") != FOR_SOMEONE_ELSE:
            data["booker_name"], data["booker_relationship"] = "", ""
            return
        booker = " ".join(data.get("booker_name", "").split())
        data["booker_name"] = booker
        if not booker:
            self.add_error(
                "booker_name", _("Enter your own full name, so we know who booked for the patient.")
            )
        elif (patient := data.get("patient_name")) and same_patient_name(patient, booker):
            self.add_error(
                "booker_name",
                _(
                    'This is the patient\'s name too. If the appointment is for you, choose "Me"; '
                    "otherwise enter your own name here."
                ),
            )
        if not data.get("booker_relationship"):
            self.add_error("booker_relationship", _("Choose who the patient is to you."))

    def booking_details(self) -> dict:
        """The cleaned answers as `appointment_book` keywords (after `is_valid()`)."""
        data = self.cleaned_data
        fields = [
            "patient_name",
            "patient_phone",
            "patient_email",
            "reason",
            "visit_type",
            "booking_token",
            "booker_name",
            "booker_relationship",
        ]
        return {
            "starts_at": data["start"],
            **{name: data[name] for name in fields},
            "privacy_notice_version": self.notice.version,
        }


class CancelForm(forms.Form):
    reason = FreeTextField(
        label=_("Reason (optional)"),
        required=False,
        max_length=Appointment._meta.get_field("cancel_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RescheduleForm(forms.Form):
    """A new time; without `confirm` the patient's page asks "Move from … to …?" first and writes nothing."""

    start = StartField()
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class SendLinkForm(forms.Form):
    """ "Send me my booking link" on the already-booked answer: the mobile number typed on the booking form."""

    patient_phone = MobileNumberField(label=_("Mobile number"), widget=forms.HiddenInput)


class FindBookingForm(forms.Form):
    """Find my booking: the reference and the mobile number the booking was made with."""

    reference = forms.CharField(
        label=_("Booking reference"),
        max_length=20,
        help_text=_("8 letters and digits, in your confirmation (for example 7KQ2M9TX)."),
        error_messages={"required": _("Enter the booking reference from your confirmation.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    patient_phone = MobileNumberField(
        label=_("Mobile number"),
        help_text=_("The number you booked with."),
        error_messages={"required": _("Enter the mobile number you booked with.")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )

    def clean_reference(self) -> str:
        """Upper case without spaces or dashes; refused unless it could be a reference at all."""
        reference = "".join(self.cleaned_data["reference"].split()).replace("-", "").upper()
        if len(reference) != REFERENCE_LENGTH or not set(reference) <= set(REFERENCE_ALPHABET):
            raise forms.ValidationError(
                _(
                    "A reference has 8 letters and digits, like 7KQ2M9TX. Please check it in your confirmation."
                )
            )
        return reference


class MyAppointmentsForm(forms.Form):
    """My appointments: the email address the visits were booked with."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The address given when booking."),
        error_messages={
            "required": _("Enter the email address you booked with."),
            "invalid": _("Enter an email address like name@example.com."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
