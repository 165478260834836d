"""The report's period and location, read from the query string (a report is a shareable GET)."""

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_DAYS = 366  # a year (a leap one included); longer periods are refused with a message


def last_month(today: date) -> tuple[date, date]:
    """The calendar month before the one `today` is in: (its first day, its last day)."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


class ReportForm(forms.Form):
    """`location` (the slug of one of `locations`, a list of Location; cleaned to that Location),
    `date_from` and `date_to` (local calendar days, both included, at most MAX_DAYS apart). Invalid
    input gives messages next to the fields. Reads nothing from the database."""

    location = forms.ChoiceField(label=_("Location"))
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To (included)"), widget=forms.DateInput(attrs={"type": "date"}))

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
