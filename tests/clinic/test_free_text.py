"""Free text refuses hidden characters: a note cannot reorder how the text around it reads or carry
terminal escapes into exports (clinic.validators.FreeTextField; a tester stored "gnp.exe" with U+202E in
a cancellation note and it showed as "exe.png" on the appointment page, in the reports and the exports)."""

from types import SimpleNamespace

import pytest

from appointments.forms import CancelForm
from appointments.staff_forms import StatusForm
from clinic.validators import clean_free_text
from notifications.forms import FeedbackForm

HIDDEN = ["\u202e gnp.exe", "late\x1b[31m", "bell\x07", "\u200bzero", "\ufeffmark", "nul\x00"]


@pytest.mark.parametrize("text", HIDDEN)
def test_hidden_characters_are_refused(text):
    with pytest.raises(Exception, match="hidden or control characters"):
        clean_free_text(f"Patient called {text}")


def test_line_breaks_and_tabs_stay_and_the_ends_are_trimmed():
    assert clean_free_text("  Running late\r\n\tback at 4  ") == "Running late\r\n\tback at 4"


@pytest.mark.parametrize("text", HIDDEN[:3])
@pytest.mark.parametrize(
    ("form", "field", "data"),
    [
        (StatusForm, "note", {"to_status": "cancelled"}),
        (CancelForm, "reason", {}),
        (FeedbackForm, "comment", {"would_recommend": "yes"}),
    ],
)
def test_every_free_text_field_refuses_them_next_to_the_field(form, field, data, text):
    extra = {"doctor": SimpleNamespace(name="Dr. Asha Menon")} if form is FeedbackForm else {}
    bound = form(data=data | {field: f"note {text}"}, **extra)
    assert not bound.is_valid()
    assert "hidden or control characters" in bound.errors[field][0]
