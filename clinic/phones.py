"""Mobile number form fields: the error and the example a patient or the front desk reads are a mobile's.

django-phonenumber-field's own "invalid" message gives `phonenumbers.example_number(region)`, which is
a landline in most regions (India: "011 2345 6789"), on a field that asks for a mobile (issue 13, item 7).
"""

import phonenumbers
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField


def mobile_example(region: str) -> tuple[str, str]:
    """A made-up mobile number of `region` (ISO 3166 code) as (national, international) text.

    From libphonenumber's example data ("081234 56789", "+91 81234 56789" for IN); ("", "") when the
    region has no example mobile number.
    """
    number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if number is None:
        return "", ""
    return (
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
    )


class MobileNumberField(PhoneNumberField):
    """A phone number field (stored E.164, read in `region`, default PHONENUMBER_DEFAULT_REGION) whose
    "not a valid number" error shows a mobile number of that region as the example."""

    def __init__(self, *args, region: str | None = None, **kwargs):
        error_messages = kwargs.pop("error_messages", {})
        super().__init__(*args, region=region, **kwargs)
        national, international = mobile_example(self.region or settings.PHONENUMBER_DEFAULT_REGION)
        if national:
            invalid = format_lazy(
                _(
                    "Enter a valid mobile number, such as {national}, or with the country code, "
                    "such as {international}."
                ),
                national=national,
                international=international,
            )
        else:
            invalid = _("Enter a valid mobile number, with the country code (starting with +).")
        self.error_messages["invalid"] = invalid
        self.error_messages.update(error_messages)
