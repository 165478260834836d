"""The one strict reader of date, start and count parameters (query strings and form fields alike).

Every view and form that reads a day (`date`, `from`, `to`, `start` of a week), an instant (`start` of a
slot) or a number of days goes through this module, so that an edge of `datetime` (0001-01-01,
9999-12-31), a digit that is not ASCII (`"²".isdigit()` is true, `int("٣")` is 3) or a year nobody
books in is refused with a clear message before any arithmetic can overflow (issue 10 item 5; SPEC 4:
"malformed dates: a clear message or a 404, never a 500").

Rules (docs/decisions.md, "Strict input"):
- ISO 8601 only, ASCII digits only: a day is `YYYY-MM-DD`; an instant is `YYYY-MM-DDTHH:MM[:SS[.ffffff]]`
  with `Z` or a `±HH:MM` offset (a naive instant is refused: it names no moment).
- Bounded: staff pages read days from `STAFF_WINDOW_DAYS` before to `STAFF_WINDOW_DAYS` after today;
  patients' pages read days from today to the booking horizon (`BOOKING_HORIZON_DAYS`), instants
  from a day before now to a day after the horizon (a slot just gone gets "not available", not
  "unreadable").
"""

import re
from datetime import UTC, date, datetime, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The longest text worth reading: "2026-11-24T04:30:00.000000+05:30" is 32 characters.
MAX_LENGTH = 40
STAFF_WINDOW_DAYS = 2 * 365 + 1  # two years either side of today, leap day included

DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
INSTANT_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})", re.ASCII
)
COUNT_RE = re.compile(r"\d{1,4}", re.ASCII)


class ParameterError(ValueError):
    """A parameter that is unreadable or outside its window; `str(error)` is the message for people."""


def staff_window(today: date | None = None) -> tuple[date, date]:
    """The days staff pages accept: (first, last), both inclusive, as local calendar dates.

    `today` defaults to the current time zone's date. Rule: issue 10 item 5 (a sane window).
    """
    today = today or timezone.localdate()
    return today - timedelta(days=STAFF_WINDOW_DAYS), today + timedelta(days=STAFF_WINDOW_DAYS)


def patient_window(today: date | None = None) -> tuple[date, date]:
    """The days patients' pages accept: today to today + `BOOKING_HORIZON_DAYS` (SPEC 3.3), inclusive."""
    today = today or timezone.localdate()
    return today, today + timedelta(days=settings.BOOKING_HORIZON_DAYS)


def _text(value) -> str:
    text = "" if value is None else str(value)
    if len(text) > MAX_LENGTH:
        raise ParameterError(_("That is too long to be a date or a time."))
    return text.strip()


def parse_date(value, *, window: tuple[date, date]) -> date:
    """A calendar date from `YYYY-MM-DD` (ASCII digits), inside `window` (first, last inclusive).

    Returns a `date` (no zone: a local day). Raises `ParameterError` with a message for people when the
    text is not such a date or the date lies outside the window.
    """
    text = _text(value)
    if not DATE_RE.fullmatch(text):
        raise ParameterError(_("Enter a date as YYYY-MM-DD, for example 2026-12-01."))
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ParameterError(_("That date does not exist.")) from None
    first, last = window
    if not first <= day <= last:
        raise ParameterError(
            _("Choose a date from %(first)s to %(last)s.")
            % {"first": date_format(first, "j M Y"), "last": date_format(last, "j M Y")}
        )
    return day


def parse_instant(value, *, window: tuple[date, date]) -> datetime:
    """An aware instant, in UTC, from ISO 8601 with `Z` or an offset (as the slot picker writes it).

    The instant's UTC date must lie inside `window` widened by a day each side (an offset moves the
    date by less than that). Raises `ParameterError` when the text is not such an instant (naive ones
    included) or it lies outside the window.
    """
    text = _text(value)
    if not INSTANT_RE.fullmatch(text):
        raise ParameterError(_("That time could not be read."))
    first, last = window
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        raise ParameterError(_("That time could not be read.")) from None
    if not first - timedelta(days=1) <= day <= last + timedelta(days=1):
        raise ParameterError(_("That time is outside the days we book."))
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except (ValueError, OverflowError):
        raise ParameterError(_("That time could not be read.")) from None


def parse_count(value, *, low: int, high: int) -> int:
    """A whole number from ASCII digits only, `low` <= n <= `high`; raises `ParameterError` otherwise."""
    text = _text(value)
    if not COUNT_RE.fullmatch(text) or not low <= int(text) <= high:
        raise ParameterError(_("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high})
    return int(text)


WINDOWS = {"staff": staff_window, "patient": patient_window}


def instant_window(kind: str) -> tuple[date, date]:
    """The UTC days an instant may fall on: "patient" (yesterday to the horizon) or "staff" (two years
    either side). A patient's slot just gone reads as "not available" further on, not as unreadable."""
    if kind == "patient":
        first, last = patient_window(timezone.now().astimezone(UTC).date())
        return first - timedelta(days=1), last
    return staff_window(timezone.now().astimezone(UTC).date())


class WindowDateField(forms.DateField):
    """A form's `YYYY-MM-DD` day, read by `parse_date` inside the "staff" or "patient" window.

    Cleans to a `date`; the field's error is the parser's message. The window is computed at clean time,
    so a form class built at import stays right on every later day.
    """

    def __init__(self, *, window: str = "staff", **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)
        self.window = window

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        try:
            return parse_date(value, window=WINDOWS[self.window]())
        except ParameterError as error:
            raise forms.ValidationError(str(error), code="invalid") from None


class InstantField(forms.Field):
    """A slot's start as the picker wrote it, cleaned by `parse_instant` to an aware UTC datetime.

    `window` is "patient" (a day before now up to the booking horizon) or "staff" (two years either side).
    """

    widget = forms.HiddenInput
    default_error_messages = {
        "invalid": gettext_lazy("That time could not be read. Please choose a time again."),
    }

    def __init__(self, *, window: str = "patient", **kwargs):
        super().__init__(**kwargs)
        self.window = window

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        try:
            return parse_instant(value, window=instant_window(self.window))
        except ParameterError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
