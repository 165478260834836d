"""The staff Find (/staff/find/): reference, any 4+ digits of a mobile number, or a name typed any way.

Names are compared folded (clinic.textfold.fold_name: case, accents, apostrophes; each typed word must
appear, in any order) against the stored `Appointment.patient_name_folded`, so SQLite and PostgreSQL
find the same rows. Results run from today outwards: today's visits, then upcoming (soonest first),
then past (most recent first). Find is a POST that renders its results: no name or number in a URL.
"""

import re
from datetime import datetime, time, timedelta

import phonenumbers
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.utils import timezone

from appointments.access import staff_required, visible_appointments
from appointments.models import REFERENCE_LENGTH
from appointments.staff_forms import FindForm
from clinic.textfold import ascii_digits, fold_name
from doctors.models import Location

FIND_PAGE_SIZE = 20
MIN_PHONE_DIGITS = 4  # "the last 4 or more digits" (issue 12 item 5)
TODAY, UPCOMING, PAST = 0, 1, 2


def find_query(text: str) -> Q:
    """The rows a typed query means, as a Q on Appointment.

    In: the query as typed (str). Out: Q matching any of: the reference (case and spaces ignored); a
    mobile number containing the query's digits when it is only digits, spaces and phone punctuation
    with at least MIN_PHONE_DIGITS digits (or the whole number, in national or international form);
    a folded name containing every folded word of the query, in any order; the name of whoever booked for
    the patient containing every typed word, case ignored. An empty fold matches nothing.
    Digits of any script count as their ASCII digits (clinic.textfold.ascii_digits).
    """
    # Arabic-Indic or Devanagari digits search like ASCII ones (booking accepts them)
    text = ascii_digits(text)
    condition = Q(pk__in=[])
    compact = re.sub(r"[\s-]", "", text).upper()
    if 0 < len(compact) <= REFERENCE_LENGTH:
        condition |= Q(reference=compact)
    if re.fullmatch(r"[\d\s+().-]+", text):
        digits = re.sub(r"\D", "", text)
        if len(digits) >= MIN_PHONE_DIGITS:
            condition |= Q(patient_phone__contains=digits)
        try:
            number = phonenumbers.parse(text, settings.PHONENUMBER_DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            condition |= Q(patient_phone=e164)
    words = fold_name(text).split()
    if words and any(character.isalpha() for character in text):
        by_name = Q()
        for word in words:
            by_name &= Q(patient_name_folded__contains=word)
        # The caller is often the one who booked for the patient (issue 15 item 3): their name as
        # stored, each typed word in any order, case ignored (not folded: no accents or apostrophes).
        by_booker = Q()
        for word in text.split():
            by_booker &= Q(booker_name__icontains=word)
        condition |= by_name | by_booker
    return condition


def order_from_today(rows: QuerySet, now: datetime, zones: list) -> QuerySet:
    """`rows` ordered today, upcoming (soonest first), past (latest first).

    "Today" is each visit's local day at its location: one condition per time zone in use (`zones`,
    ZoneInfo objects keyed by their IANA names), so the query count does not grow with the data.
    """
    today = Q(pk__in=[])
    for zone in zones:
        day = now.astimezone(zone).date()
        start = datetime.combine(day, time.min, tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
        today |= Q(location__time_zone=zone.key, starts_at__gte=start, starts_at__lt=end)
    bucket = Case(
        When(today, then=Value(TODAY)),
        When(starts_at__gte=now, then=Value(UPCOMING)),
        default=Value(PAST),
        output_field=IntegerField(),
    )
    soonest_first = Case(When(from_today__lt=PAST, then=F("starts_at")), default=None)
    return rows.annotate(from_today=bucket).order_by(
        "from_today", soonest_first.asc(nulls_last=True), F("starts_at").desc(), "pk"
    )


@staff_required()
def find(request):
    """GET shows the form; POST searches and renders (no redirect), so a name or number never lands
    in a URL, an access log or the browser history. Pages are further POSTs. An empty result says
    "Nothing matches “…”" with the query. Queries: the time zones in use (1), count (1), page (1)."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    form = FindForm(request.POST if request.method == "POST" else None)
    page = None
    if form.is_valid():
        now = timezone.now()
        zones = [
            Location(time_zone=name).zone
            for name in Location.objects.order_by().values_list("time_zone", flat=True).distinct()
        ]
        results = order_from_today(
            visible_appointments(request.user)
            .filter(find_query(form.cleaned_data["q"]))
            .select_related("doctor", "location"),
            now,
            zones,
        )
        page = Paginator(results, FIND_PAGE_SIZE).get_page(form.cleaned_data["page"] or 1)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "appointments/staff_find.html", {"form": form, "page_obj": page}, status=status)
