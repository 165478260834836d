"""The admin site, hardened once for every ModelAdmin: overflowing dates and ids are bad input, not a 500.

Django's change list turns an unreadable lookup into `IncorrectLookupParameters` (a redirect to `?e=1`),
but a year, month or day at the edge of `datetime` passes its parsing and overflows one step later:
`?starts_at__year=9999` asks for 9999-01-01 up to year 10000 and was a 500 (issue 10 item 5). Likewise a
many-to-many choice of `99999999999999999999999` reaches the database, which cannot hold the number
(SQLite: OverflowError; PostgreSQL: DataError). `ClinicAdminSite.register` gives every ModelAdmin the
`SafeAdminMixin`, present and future ones alike (and their autocomplete widgets show a refused value
again without querying it); tests/clinic/test_hostile_input.py walks them all.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models

# The widest integer key any supported database stores (a signed 64-bit BIGINT).
MAX_ID = 2**63 - 1


class SafeChangeList(ChangeList):
    """A ChangeList that treats a date that overflows (ValueError, OverflowError) as a bad lookup: while
    building the filters (year 9999 + 1) and while counting the rows (year 1 in a zone east of UTC)."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error

    def get_results(self, request):
        try:
            return super().get_results(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error


def _fits(model, value) -> bool:
    """False for a value of an integer primary key that no database column could hold."""
    if not isinstance(model._meta.pk, models.IntegerField | models.AutoField):
        return True
    text = str(value).strip()
    return not (text.lstrip("-").isascii() and text.lstrip("-").isdigit()) or abs(int(text)) <= MAX_ID


class SafeModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that refuses an id too large for the database before querying it."""

    def to_python(self, value):
        if value not in self.empty_values and not _fits(self.queryset.model, value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses an id too large for the database before querying it."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else []:
            if not _fits(self.queryset.model, pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


def _readable_key(model, field_name: str, value) -> bool:
    """True when `value` can be looked up in `model.field_name` (right type, and fits the column)."""
    try:
        model._meta.get_field(field_name).to_python(value)
    except (ValidationError, ValueError, TypeError):
        return False
    return _fits(model, value)


class SafeAutocompleteMixin:
    """Autocomplete widgets that show a refused value again without looking it up: Django filters the
    related table by every selected value, and `"0001-01-01"` for an integer key was a ValueError (500)."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        field_name = getattr(remote, "field_name", None) or remote.model._meta.pk.attname
        value = [
            item for item in value if item in ("", None) or _readable_key(remote.model, field_name, item)
        ]
        return super().optgroups(name, value, attr)


class SafeAutocompleteSelect(SafeAutocompleteMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(SafeAutocompleteMixin, AutocompleteSelectMultiple):
    pass


SAFE_WIDGETS = {
    AutocompleteSelect: SafeAutocompleteSelect,
    AutocompleteSelectMultiple: SafeAutocompleteSelectMultiple,
}


def _safe_widget(formfield):
    if formfield is not None and type(formfield.widget) in SAFE_WIDGETS:
        formfield.widget.__class__ = SAFE_WIDGETS[type(formfield.widget)]
    return formfield


class SafeAdminMixin:
    """For ModelAdmins (given by `ClinicAdminSite`): the change list and the relation fields above."""

    def get_changelist(self, request, **kwargs):
        return SafeChangeList

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", SafeModelChoiceField)
        return _safe_widget(super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        return _safe_widget(super().formfield_for_manytomany(db_field, request, **kwargs))


class ClinicAdminSite(admin.AdminSite):
    """The default admin site; every ModelAdmin registered on it gets `SafeAdminMixin` first."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, SafeAdminMixin):
            admin_class = type(
                admin_class.__name__, (SafeAdminMixin, admin_class), {"__module__": admin_class.__module__}
            )
        return super().register(model_or_iterable, admin_class, **options)


class ClinicAdminConfig(AdminConfig):
    """`django.contrib.admin` with `ClinicAdminSite` as `admin.site` (INSTALLED_APPS)."""

    default_site = "clinic.admin_lists.ClinicAdminSite"
