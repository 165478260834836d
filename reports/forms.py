"""The report's period and location, read from the query string (a report is a shareable GET)."""

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clinic.params import WindowDateField

MAX_DAYS = 366  # a year (a leap one included); longer periods are refused with a message


def last_month(today: date) -> tuple[date, date]:
    """The calendar month before the one `today` is in: (its first day, its last day)."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


class DayInput(forms.DateInput):
    """`<input type="date">` that writes back only a real date: HTML allows nothing else in its value,
    so an unreadable one is left out (the field's message quotes it)."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)

    def format_value(self, value):
        if isinstance(value, str):
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                return None
        return super().format_value(value)


class DayField(WindowDateField):
    """A calendar day written as YYYY-MM-DD (what date inputs send); the message repeats what was typed."""

    widget = DayInput
    input_formats = ["%Y-%m-%d"]

    def to_python(self, value):
        """The day, inside the staff window (clinic.params: two years either side of today), so a period
        at the calendar's edges is a message next to the field, never an overflow."""
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "invalid":
                raise
            try:
                date.fromisoformat(str(value))
            except ValueError:
                raise ValidationError(
                    _("“%(value)s” is not a date. Choose one, or type it as YYYY-MM-DD."),
                    code="invalid",
                    params={"value": str(value)[:40]},
                ) from None
            raise


class ReportForm(forms.Form):
    """`location` (the slug of one of `locations`, a list of Location; cleaned to that Location),
    `date_from` and `date_to` (local calendar days, both included, at most MAX_DAYS apart). Invalid
    input gives messages next to the fields. Reads nothing from the database."""

    location = forms.ChoiceField(label=_("Location"))
    date_from = DayField(label=_("From"))
    date_to = DayField(label=_("To (included)"))

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.locations = {location.slug: location for location in locations}
        self.fields["location"].choices = [(location.slug, location.name) for location in locations]

    def clean_location(self):
        return self.locations[self.cleaned_data["location"]]

    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last:
            if last < first:
                self.add_error("date_to", _("The end of the period must not be before its start."))
            elif (last - first).days + 1 > MAX_DAYS:
                self.add_error("date_to", _("Choose a period of at most %(days)s days.") % {"days": MAX_DAYS})
        return data
