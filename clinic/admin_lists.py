"""Admin change lists that answer a date outside `datetime`'s range like any other bad filter.

Django's change list turns an unreadable lookup into `IncorrectLookupParameters` (a redirect to `?e=1`),
but a year, month or day at the edge of `datetime` passes its parsing and overflows one step later:
`?starts_at__year=9999` asks for 9999-01-01 up to year 10000 and was a 500 (issue 10 item 5). Every
ModelAdmin with a `date_hierarchy` uses `SafeChangeListMixin`; tests/clinic/test_hostile_input.py walks
them all.
"""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


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


class SafeChangeListMixin:
    """For ModelAdmins: build the change list with `SafeChangeList`."""

    def get_changelist(self, request, **kwargs):
        return SafeChangeList
