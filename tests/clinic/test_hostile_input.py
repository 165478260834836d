"""Every URL of the URLconf, with hostile values in every parameter and form field, answers without a 5xx
and writes no booking row (issue 10 item 5: "a bad-input test that walks every URL").

The URL patterns come from the URLconf itself (as in the permissions matrix), their path arguments are real
demo objects (`world` from test_permissions), and each is visited as anonymous (forged tokens), as the
patient holding their link, and as a superuser (every staff and privacy page), with:
- GET with each hostile value in every query parameter any page reads, and in every `str` path argument;
- POST with each hostile value in every form field (the page's own fields plus every name the site's forms
  use), as a url-encoded form, as multipart, as JSON, as text/plain and as UTF-16;
- the methods nobody uses (PUT, PATCH, DELETE, OPTIONS).
The Django admin is walked the same way: every registered model's change list with hostile filters,
dates and ordering, its add form posted with hostile values in every field, and its change page with
hostile object ids.

Rows are counted in every table of the booking apps before and after; the only writes allowed are the
ones a request may make whatever its body says (listed in `WRITES`), which are not posted.
"""

import json

import pytest
import time_machine
from django.apps import apps
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from tests.clinic import test_permissions
from tests.clinic.test_permissions import NOW, project_patterns, url_for

world = test_permissions.world  # the same demo objects and signed-in clients as the permissions matrix

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "patient", "superuser"]
BOOKING_APPS = ["appointments", "notifications", "privacy", "waitlist", "frontdesk"]
# Audit rows that a GET rightly writes (an officer's view of a patient's data is logged).
AUDIT_TABLES = {"privacy.privacyevent"}
# POSTs that change state by design whatever their body: sign out, a new feed token, closing a request,
# the patient's own cancel (its one field, the reason, is optional free text).
WRITES = {"staff:logout", "staff:feed-rotate", "privacy:close", "appointments:cancel"}

HOSTILE = [
    "0001-01-01",
    "9999-12-31",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00+14:00",
    "２０２６-１１-２４",  # fullwidth digits
    "²",  # "²".isdigit() is True
    "٣",  # Arabic-Indic three: int("٣") == 3
    "-1",
    "99999999999999999999999",
    "x" * 5000,
    "\x00",
    "\x1b[31m\x07\r\nSet-Cookie: a=b\u202eevil\ufeff\u200b",  # control, bidi, BOM, zero-width
    "'; DROP TABLE appointments_appointment; --<script>alert(1)</script>../../etc/passwd%",
    "",
]
# Every query parameter a page of the site reads.
QUERY_PARAMS = [
    "date",
    "start",
    "from",
    "to",
    "days",
    "q",
    "page",
    "sort",
    "specialty",
    "city",
    "location",
    "language",
    "available",
    "doctor",
    "category",
    "heading_level",
    "next",
    "token",
]
# Every form field name the site's forms use (pages that show a form add their own).
FORM_FIELDS = [
    "start",
    "date",
    "booking_token",
    "patient_name",
    "patient_phone",
    "patient_email",
    "reason",
    "visit_type",
    "consent",
    "privacy_notice",
    "reference",
    "q",
    "page",
    "to_status",
    "note",
    "confirm",
    "username",
    "password",
    "next",
    "requester",
    "channel",
    "identity_check",
    "phone",
    "email",
    "would_recommend",
    "comment",
    "location",
    "doctor",
]
CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded; charset=utf-16"]


def booking_rows() -> dict[str, int]:
    """Rows in every table of the booking apps (audit tables aside)."""
    counts = {}
    for config in apps.get_app_configs():
        if config.label in BOOKING_APPS:
            for model in config.get_models():
                if model._meta.label_lower not in AUDIT_TABLES:
                    counts[model._meta.label_lower] = model._default_manager.count()
    return counts


def page_fields(response) -> set[str]:
    import re

    body = response.content.decode(errors="replace") if not response.streaming else ""
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', body))


def failures_of(client, url, key, fields) -> list[str]:
    """Every request of the walk for one URL and client; the ones answered with a 5xx."""
    bad = []

    def check(response, what):
        if response.status_code >= 500:
            bad.append(f"{response.status_code} {what} {key} {url}")

    for value in HOSTILE:
        check(client.get(url, dict.fromkeys(QUERY_PARAMS, value)), f"GET {value[:20]!r}")
    if key in WRITES:
        return bad
    for value in HOSTILE:
        data = dict.fromkeys(fields, value)
        check(client.post(url, data), f"POST {value[:20]!r}")
    check(client.post(url, dict.fromkeys(fields, HOSTILE[9]), format="multipart"), "POST multipart")
    check(client.post(url, {name: ["a", "b"] for name in fields}), "POST lists")
    body = json.dumps(dict.fromkeys(fields, HOSTILE[0]))
    for content_type in CONTENT_TYPES:
        check(client.generic("POST", url, body.encode("utf-16"), content_type=content_type), content_type)
    check(
        client.generic("POST", url, b"a=%FF&b=\xfe", content_type="application/x-www-form-urlencoded"),
        "bytes",
    )
    for method in ("put", "patch", "delete", "options"):
        check(getattr(client, method)(url, "a=b", content_type="application/x-www-form-urlencoded"), method)
    return bad


def hostile_path_urls(key, pattern):
    """The URL with each hostile value in each `str` path argument (slugs cannot hold them)."""
    names = [
        name
        for name, converter in pattern.pattern.converters.items()
        if type(converter).__name__ == "StringConverter"
    ]
    for name in names:
        for value in HOSTILE:
            if not value or "/" in value:
                continue
            others = {other: "x" for other in pattern.pattern.converters if other != name}
            try:
                yield reverse(key, kwargs={name: value, **others})
            except NoReverseMatch:
                continue


URL_KEYS = [key for key, _ in project_patterns()]


@pytest.mark.parametrize("key", URL_KEYS)
def test_every_url_answers_hostile_input_without_a_5xx_and_writes_nothing(world, key):
    pattern = dict(project_patterns())[key]
    clients = world["clients"]
    # The patient's link only matters where a URL carries a token; elsewhere they are anonymous.
    roles = ROLES if "token" in pattern.pattern.converters else ["anonymous", "superuser"]
    failures = []
    with time_machine.travel(NOW, tick=False):
        before = booking_rows()
        for role in roles:
            client = clients[role]
            url = url_for(key, pattern, world["kwargs"], role)
            fields = set(FORM_FIELDS) | page_fields(client.get(url))
            failures += failures_of(client, url, key, sorted(fields))
        if pattern.name:
            for url in hostile_path_urls(key, pattern):
                for role in ("anonymous", "superuser"):
                    response = clients[role].get(url)
                    if response.status_code >= 500:
                        failures.append(f"{response.status_code} GET {key} {url[:80]}")
        after = booking_rows()
    assert failures == []
    assert {table: (before[table], after[table]) for table in before if before[table] != after[table]} == {}


def admin_params(model_admin) -> list[str]:
    names = ["q", "o", "p", "e", "all", "_to_field", "_popup"]
    if model_admin.date_hierarchy:
        names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    for item in model_admin.list_filter:
        field = item if isinstance(item, str) else getattr(item, "parameter_name", None)
        if field:
            names += [field, f"{field}__exact", f"{field}__id__exact", f"{field}__gte", f"{field}__lt"]
    return names


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda model: model._meta.label_lower)
def test_every_admin_list_and_form_answers_hostile_input_without_a_5xx(world, model):
    model_admin = admin.site._registry[model]
    client = world["clients"]["superuser"]
    failures = []
    info = (model._meta.app_label, model._meta.model_name)
    with time_machine.travel(NOW, tick=False):
        before = booking_rows()
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        params = admin_params(model_admin)
        for value in HOSTILE:
            response = client.get(changelist, dict.fromkeys(params, value))
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {changelist} {value[:20]!r}")
        if field := model_admin.date_hierarchy:
            for year in ("9999", "1", "0"):
                query = {f"{field}__year": year, f"{field}__month": "12", f"{field}__day": "31"}
                for count in (1, 2, 3):  # year; year and month; the day
                    response = client.get(changelist, dict(list(query.items())[:count]))
                    if response.status_code >= 500:
                        failures.append(f"{response.status_code} {changelist} {query} {count}")
        for object_id in ("999999999", "²", "x" * 300, "%00"):
            response = client.get(reverse("admin:{}_{}_change".format(*info), args=[object_id]))
            if response.status_code >= 500:
                failures.append(f"{response.status_code} change {object_id[:20]!r}")
        add = reverse("admin:{}_{}_add".format(*info))
        fields = page_fields(client.get(add))
        for value in HOSTILE:
            response = client.post(add, dict.fromkeys(fields, value))
            if response.status_code >= 500:
                failures.append(f"{response.status_code} POST {add} {value[:20]!r}")
        after = booking_rows()
    assert failures == []
    assert {table: (before[table], after[table]) for table in before if before[table] != after[table]} == {}
