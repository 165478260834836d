"""The one set of rules for what a person types about a patient: a name, a mobile number, consent.

Used by every form that takes them (the patient's booking form, the front desk's booking form, find my
booking, send me my link), so a name or a number the public side refuses is refused everywhere (issue 10
item 6; SPEC 4: "Names are printable text (no control, zero-width-only or bidi-override characters); a
mobile number is a mobile number; consent only from its checkbox"). Rules and reasons: docs/decisions.md,
"Strict input".
"""

import unicodedata

import phonenumbers
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clinic import phones

# Besides letters (Unicode categories L*) and combining marks (M*): the space and the punctuation
# names really carry: O'Brien, O’Brien, St. John, Rao-Kulkarni.
NAME_PUNCTUATION = frozenset(" '’.-")
MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def clean_person_name(value: str) -> str:
    """A person's name as typed, checked and tidied: NFC, runs of spaces made one, ends trimmed.

    Allowed: letters and marks of any script, spaces (any visible space reads as one) and `'’.-`, with at least one letter. Refused with
    a `ValidationError` (message for the person typing): control characters (ESC, BEL, CR, LF, tab),
    format characters (zero-width space and joiners, the byte-order mark, bidi overrides and isolates
    such as U+202E), digits, symbols and any other punctuation. Returns a `str`.
    """
    text = unicodedata.normalize("NFC", value or "")
    # Any visible space (no-break, thin, ideographic) counts as a space; zero-width ones are format
    # characters (Cf), not spaces, and are refused below.
    text = "".join(" " if unicodedata.category(char) == "Zs" else char for char in text)
    refused = sorted({char for char in text if not _name_char(char)})
    if refused:
        if any(unicodedata.category(char)[0] in "CZ" for char in refused):
            raise ValidationError(
                _("The name contains hidden or control characters. Please type it again."), code="control"
            )
        shown = " ".join(refused[:5])
        raise ValidationError(
            _("A name can have letters, spaces, apostrophes, dots and hyphens only (not %(chars)s).")
            % {"chars": shown},
            code="characters",
        )
    tidy = " ".join(part for part in text.split(" ") if part)
    if not any(unicodedata.category(char).startswith("L") for char in tidy):
        raise ValidationError(_("Enter the name in letters."), code="no_letters")
    return tidy


# Line breaks and tabs are how people lay out a note; every other control (C*) or format character (Cf:
# bidi overrides such as U+202E, zero-width characters, the byte-order mark) only hides or reorders text.
FREE_TEXT_ALLOWED_CONTROLS = frozenset("\n\r\t")


def clean_free_text(value: str) -> str:
    """A free-text note (a reason for the visit, a cancellation reason, a staff note, a feedback comment)
    as typed, checked: NFC, ends trimmed.

    Refused with a `ValidationError` (code "control"): control and format characters other than line
    breaks and tabs, so a note cannot reorder how the text around it reads (U+202E makes "gnp.exe" show
    as "exe.png") or carry terminal escapes into exports. Issue 10 item 6, applied to every free text.
    """
    text = unicodedata.normalize("NFC", value or "")
    if any(unicodedata.category(char)[0] == "C" and char not in FREE_TEXT_ALLOWED_CONTROLS for char in text):
        raise ValidationError(
            _("The text contains hidden or control characters. Please type it again."), code="control"
        )
    return text.strip()


class FreeTextField(forms.CharField):
    """A form field for free text: `clean_free_text` rules (no hidden control or bidi characters)."""

    def to_python(self, value):
        value = super().to_python(value)
        return clean_free_text(value) if value else value


def _name_char(char: str) -> bool:
    return char in NAME_PUNCTUATION or unicodedata.category(char)[0] in "LM"


def mobile_example(region: str | None = None) -> str:
    """An example mobile number of `region` (default `PHONENUMBER_DEFAULT_REGION`),
    in international form, for messages and help texts ("+91 81234 56789": libphonenumber's own example)."""
    return phones.mobile_example(region or settings.PHONENUMBER_DEFAULT_REGION)[1]


def check_mobile(number: phonenumbers.PhoneNumber, raw: str) -> None:
    """Refuse, with a `ValidationError`, a parsed number that is not a mobile number as typed in `raw`.

    Refused: an extension ("ext. 99", "x99": a mobile has none, and E.164 storage would drop it
    silently), letters (vanity numbers such as 1-800-FLOWERS), control characters, and any number
    whose type for its region is not MOBILE or FIXED_LINE_OR_MOBILE (landlines such as the clinic's
    own +91 80 4000 1234, toll-free, premium-rate, shared-cost), per Google's libphonenumber metadata.
    """
    example = mobile_example()
    if any(unicodedata.category(char)[0] == "C" for char in raw):
        raise ValidationError(_("The number contains hidden or control characters. Please type it again."))
    if number.extension:
        raise ValidationError(
            _("A mobile number has no extension. Enter the mobile number alone, for example %(example)s.")
            % {"example": example},
            code="extension",
        )
    if any(char.isalpha() for char in raw):
        raise ValidationError(
            _("Enter the number in digits, for example %(example)s.") % {"example": example}, code="letters"
        )
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ValidationError(
            _("This is not a mobile number. Enter a mobile number, for example %(example)s.")
            % {"example": example},
            code="not_mobile",
        )


class PersonNameField(forms.CharField):
    """A form field for a person's name: `clean_person_name` rules, at most the model field's length."""

    def to_python(self, value):
        value = super().to_python(value)
        return clean_person_name(value) if value else value


class MobileNumberField(phones.MobileNumberField):
    """A phone number field refusing anything but a mobile number (`check_mobile`).

    Cleans to a `PhoneNumber` (stored as E.164). Its invalid-number message gives a mobile example of the
    region (clinic.phones); fields that look up numbers stored before this rule use clinic.phones' lenient
    field instead.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("inputmode", "tel")

    def clean(self, value):
        if isinstance(value, str) and any(unicodedata.category(char)[0] == "C" for char in value):
            raise ValidationError(
                _("The number contains hidden or control characters. Please type it again.")
            )
        number = super().clean(value)
        if number not in self.empty_values:
            check_mobile(number, str(value))
        return number


class ConsentCheckbox(forms.CheckboxInput):
    """A checkbox that reads as ticked only when the browser sent its own value, `on`.

    Django's `CheckboxInput` counts any value but "false" as ticked, so a forged `consent=0`, `consent=no`
    or `consent=` would be agreement (issue 10 item 6). This one renders `value="on"` and accepts only that.
    """

    def __init__(self, attrs=None):
        super().__init__(attrs={"value": "on", **(attrs or {})})

    def value_from_datadict(self, data, files, name):
        return data.get(name) == "on"


class ConsentField(forms.BooleanField):
    """A required agreement: true only from the ticked checkbox (`ConsentCheckbox`)."""

    widget = ConsentCheckbox
