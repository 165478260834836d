"""The doctor directory's search and filter form (a GET form: its URL is shareable)."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from doctors import search
from doctors.models import DoctorSort, Language, Location, Specialty

AVAILABLE_WITHIN_DAYS = {"today": 1, "week": 7}


def suggest_attrs(input_id: str, **extra) -> dict:
    """Attributes that make a search input fetch suggestions as the patient types (htmx).

    static/js/search-suggest.js turns the input and its `<input id>-listbox` into an ARIA combobox;
    without JavaScript the input is a plain search box in a GET form.
    """
    return {
        "type": "search",
        "autocomplete": "off",
        "data-suggest": "",
        "data-hx-get": reverse_lazy("doctors:suggest"),
        "data-hx-trigger": "input changed delay:200ms",
        "data-hx-target": f"#{input_id}-listbox",
        "data-hx-swap": "innerHTML",
        "data-hx-sync": "this:replace",
        **extra,
    }


class DoctorFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search by condition, procedure, specialty or name"),
        required=False,
        max_length=100,
        error_messages={"max_length": _("Keep the search under %(limit_value)d characters.")},
        widget=forms.TextInput(attrs=suggest_attrs("id_q", placeholder=_("e.g. slipped disc, kyphoplasty"))),
    )
    specialty = forms.ModelChoiceField(
        Specialty.objects.all(), to_field_name="slug", required=False, empty_label=_("Any specialty")
    )
    city = forms.ChoiceField(label=_("City"), required=False)
    location = forms.ModelChoiceField(
        Location.objects.active(), to_field_name="slug", required=False, empty_label=_("Any location")
    )
    language = forms.ModelChoiceField(
        Language.objects.all(), to_field_name="code", required=False, empty_label=_("Any language")
    )
    available = forms.ChoiceField(
        label=_("Available"),
        required=False,
        choices=[("", _("Any time")), ("today", _("Today")), ("week", _("This week"))],
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=DoctorSort, required=False)

    parsed: search.ParsedQuery | None = None
    vocabulary: search.Vocabulary | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cities = Location.objects.active().order_by("city").values_list("city", flat=True).distinct()
        self.fields["city"].choices = [("", _("Any city")), *((city, city) for city in cities)]
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if is_select else "form-control"

    @property
    def is_filtered(self) -> bool:
        """Whether any filter other than the search box is set or wrong (so the panel opens)."""
        return self.is_bound and any(self.data.get(name) for name in self.fields if name != "q")

    def _flag_invalid_fields(self):
        """Mark fields with errors for Bootstrap and for screen readers (the error is the description)."""
        for name in self.errors:
            self.fields[name].widget.attrs.update(
                {
                    "class": f"{self.fields[name].widget.attrs['class']} is-invalid",
                    "aria-invalid": "true",
                    "aria-describedby": f"{self[name].auto_id}_error",
                }
            )

    @property
    def availability_days(self) -> int | None:
        """How many days from today a free time must fall in (1: today, 7: this week), or None."""
        return AVAILABLE_WITHIN_DAYS.get(getattr(self, "cleaned_data", {}).get("available", ""))

    @property
    def wants_soonest(self) -> bool:
        return getattr(self, "cleaned_data", {}).get("sort") == DoctorSort.SOONEST

    def filter(self, queryset):
        """Apply every valid filter; an invalid one is reported on its field and ignored.

        A search is read against the vocabulary (doctors/search.py); `self.parsed` and
        `self.vocabulary` keep it for the match reasons and the "nothing found" help.
        """
        self.is_valid()
        self._flag_invalid_fields()
        data = self.cleaned_data
        self.parsed = self.vocabulary = None
        if data.get("q"):
            self.vocabulary = search.load_vocabulary()
            self.parsed = self.vocabulary.parse(data["q"])
            queryset = search.filter_doctors(queryset, self.parsed, self.vocabulary)
        if data.get("specialty"):
            queryset = queryset.filter(specialty=data["specialty"])
        if data.get("city"):
            queryset = queryset.filter(location__city=data["city"])
        if data.get("location"):
            queryset = queryset.filter(location=data["location"])
        if data.get("language"):
            queryset = queryset.filter(languages=data["language"])
        return queryset.sorted_by(data.get("sort") or DoctorSort.RELEVANCE)
