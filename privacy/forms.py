"""Forms of the privacy pages: opening a patient-data request, confirming an erasure."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.phones import MobileNumberField
from clinic.validators import ConsentField
from privacy.models import DataRequest, RequestChannel, Requester


class DataRequestForm(forms.Form):
    requester = forms.ChoiceField(label=_("Who is asking"), choices=Requester, initial=Requester.PATIENT)
    channel = forms.ChoiceField(label=_("How they asked"), choices=RequestChannel)
    identity_check = forms.CharField(
        label=_("How you checked who they are"),
        max_length=DataRequest._meta.get_field("identity_check").max_length,
        help_text=_("For example “Reference and visit date matched”. Do not copy personal details here."),
        error_messages={"required": _("Say how you checked who is asking before looking anything up.")},
    )
    phone = MobileNumberField(
        label=_("Mobile number"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        max_length=DataRequest._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        typed_nothing = not data.get("phone") and not data.get("email")
        if typed_nothing and not self.errors.get("phone") and not self.errors.get("email"):
            self.add_error("phone", _("Enter the mobile number or the email address to search for."))
        return data


class EraseForm(forms.Form):
    confirm = ConsentField(
        label=_("The person asking wants this data erased, and I have checked who they are."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )
