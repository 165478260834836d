"""Find that forgives (issue 12 item 5, SPEC 3.5): one folding of names on every database, any word
order, 4+ digits of a mobile, the reference; results from today outwards; "Nothing matches “…”".

Runs on SQLite and, with DATABASE_URL set, on PostgreSQL: the same assertions hold on both.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from appointments.models import Appointment
from clinic.textfold import fold_name
from privacy.services import ANONYMISED_NAME
from tests.factories import AppointmentFactory, DoctorFactory, LocationFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)  # Monday 11:00 IST


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def desk(client, front_desk_user):
    client.force_login(front_desk_user)
    return client


@pytest.fixture
def people():
    doctor = DoctorFactory()
    return {
        "siobhan": AppointmentFactory(
            doctor=doctor,
            starts_at=NOW + timedelta(days=3),
            patient_name="Siobhán O\u2019Brien",  # curly apostrophe, as phones type it
            patient_phone="+353876543210",
        ),
        "aditi": AppointmentFactory(
            doctor=doctor,
            starts_at=NOW + timedelta(days=1),
            patient_name="Aditi Rao",
            patient_phone="+919845031234",
        ),
        "other": AppointmentFactory(
            doctor=doctor,
            starts_at=NOW + timedelta(days=2),
            patient_name="Brian Oakes",
            patient_phone="+919812300000",
        ),
    }


def found(client, query) -> list[str]:
    response = client.post(reverse("staff:find"), {"q": query})
    assert response.status_code == 200
    return [appointment.patient_name for appointment in response.context["page_obj"]]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Siobhán O\u2019Brien", "siobhan obrien"),
        ("O'Brien", "obrien"),
        ("o\u02bcbrien", "obrien"),
        ("  ZOË   d'Souza-Rao ", "zoe dsouza rao"),
        ("Straße", "strasse"),
        ("Søren Łukasz", "soren lukasz"),
        ("", ""),
    ],
)
def test_one_folding_for_names_and_queries(text, folded):
    assert fold_name(text) == folded


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("O'Brien", "siobhan"),  # straight apostrophe finds the curly one
        ("o\u2019brien", "siobhan"),
        ("Siobhan", "siobhan"),  # no accent typed
        ("SIOBHÁN", "siobhan"),
        ("obrien", "siobhan"),  # no apostrophe at all
        ("brien siobhan", "siobhan"),  # any word order
        ("Rao Aditi", "aditi"),  # reversed
        ("aditi  RAO", "aditi"),
        ("984503", "aditi"),  # part of the mobile
        ("1234", "aditi"),  # its last four digits
        ("98450 31234", "aditi"),  # spaced as people read it out
        ("+91 98450 31234", "aditi"),
        ("09845031234", "aditi"),  # national form with the trunk 0
        ("\u0663\u0661\u0662\u0663\u0664", "aditi"),  # Arabic-Indic digits of 31234 (booking accepts them)
        ("\u096f\u096e\u096a\u096b\u0966", "aditi"),  # Devanagari digits of 98450
        ("\u096f\u096e\u096a\u096b\u0966 \u0663\u0661\u0662\u0663\u0664", "aditi"),  # the whole number
        ("\uff16\uff15\uff14\uff13", "siobhan"),  # full-width digits of 6543
    ],
)
def test_find_forgives_what_the_desk_types(desk, people, query, who):
    assert found(desk, query) == [people[who].patient_name]


def test_the_reference_finds_its_appointment_in_any_case_and_spacing(desk, people):
    reference = people["aditi"].reference
    assert found(desk, reference.lower()) == ["Aditi Rao"]
    assert found(desk, f" {reference[:4]} {reference[4:]} ") == ["Aditi Rao"]


def test_the_fold_writes_any_scripts_digits_in_ascii():
    assert fold_name("Ward \u096d B\u0662") == "ward 7 b2"


def test_three_digits_are_not_a_phone_search(desk, people):
    assert found(desk, "984") == []


def test_every_word_must_match(desk, people):
    assert found(desk, "Aditi Oakes") == []


def test_results_run_from_today_outwards(desk):
    doctor = DoctorFactory()
    dates = {
        "past far": NOW - timedelta(days=30),
        "past near": NOW - timedelta(days=1),
        "today earlier": NOW - timedelta(hours=2),  # 09:00 IST today, already started
        "today later": NOW + timedelta(hours=3),
        "soon": NOW + timedelta(days=1),
        "later": NOW + timedelta(days=20),
    }
    for label, starts_at in dates.items():
        AppointmentFactory(doctor=doctor, starts_at=starts_at, patient_name=f"Meena Iyer {label}")
    assert found(desk, "iyer meena") == [
        "Meena Iyer today earlier",
        "Meena Iyer today later",
        "Meena Iyer soon",
        "Meena Iyer later",
        "Meena Iyer past near",
        "Meena Iyer past far",
    ]


def test_today_is_each_locations_own_day(desk):
    """11:00 IST on Monday is 05:30 in London: a London visit at 23:00 GMT on Sunday is yesterday there."""
    london = LocationFactory(name="Harley Street", time_zone="Europe/London")
    doctor = DoctorFactory(location=london)
    AppointmentFactory(
        doctor=doctor, starts_at=datetime(2026, 11, 22, 23, 0, tzinfo=UTC), patient_name="Kay Sunday"
    )
    AppointmentFactory(
        doctor=doctor, starts_at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC), patient_name="Kay Monday"
    )
    AppointmentFactory(
        doctor=doctor, starts_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC), patient_name="Kay Tuesday"
    )
    assert found(desk, "kay") == ["Kay Monday", "Kay Tuesday", "Kay Sunday"]


def test_nothing_matches_shows_the_query(desk, people):
    response = desk.post(reverse("staff:find"), {"q": "Zebedee"})
    assertContains(response, "Nothing matches \u201cZebedee\u201d")


def test_find_is_a_post_and_the_query_never_reaches_a_url(desk, people):
    response = desk.post(reverse("staff:find"), {"q": "Rao Aditi"})
    assertContains(response, 'method="post"')
    assertNotContains(response, "?q=")
    assert desk.get(reverse("staff:find"), {"q": "Aditi"}).context["page_obj"] is None


def test_the_folded_name_follows_every_way_a_name_is_written(people):
    aditi = people["aditi"]
    aditi.patient_name = "Adíti Rao-Kulkarni"
    aditi.save(update_fields=["patient_name"])
    assert Appointment.objects.get(pk=aditi.pk).patient_name_folded == "aditi rao kulkarni"
    Appointment.objects.filter(pk=aditi.pk).update(patient_name="Zoë")
    assert Appointment.objects.get(pk=aditi.pk).patient_name_folded == "zoe"
    aditi.refresh_from_db()
    aditi.patient_name = "Ana Ñúñez"
    Appointment.objects.bulk_update([aditi], ["patient_name"])
    assert Appointment.objects.get(pk=aditi.pk).patient_name_folded == "ana nunez"
    Appointment.objects.bulk_create(
        [Appointment(**{**_copy(people["other"]), "patient_name": "Łucja Nowak", "reference": "BULK2345"})]
    )
    assert Appointment.objects.get(reference="BULK2345").patient_name_folded == "lucja nowak"


def _copy(appointment):
    fields = ["doctor", "location", "starts_at", "ends_at", "patient_phone", "status", "source", "visit_type"]
    starts_at = NOW + timedelta(days=9)
    moved = {"starts_at": starts_at, "ends_at": starts_at + timedelta(minutes=20)}
    return {name: getattr(appointment, name) for name in fields} | moved


def test_an_anonymised_visit_is_no_longer_found_by_its_old_name(desk, people):
    """The privacy sweep writes the name with update(): the folded copy must go with it."""
    Appointment.objects.filter(pk=people["siobhan"].pk).update(patient_name=ANONYMISED_NAME)
    assert found(desk, "siobhan") == []


def test_find_costs_the_same_queries_for_3_or_40_matches(desk):
    doctor = DoctorFactory()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            found(desk, "Kiran")
        return len(captured)

    for n in range(3):
        AppointmentFactory(
            doctor=DoctorFactory(), starts_at=NOW + timedelta(days=n + 1), patient_name=f"Kiran {n}"
        )
    few = queries()
    for n in range(37):
        AppointmentFactory(doctor=doctor, starts_at=NOW - timedelta(days=n + 1), patient_name=f"Kiran X{n}")
    assert queries() == few
