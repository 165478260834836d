from decimal import Decimal

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import (
    ArticleFactory,
    ConditionFactory,
    DoctorFactory,
    LanguageFactory,
    LocationFactory,
    ProcedureFactory,
    SpecialtyFactory,
    week_hours,
)
from tests.text import visible_text

pytestmark = pytest.mark.django_db

LIST = reverse("doctors:list")


def listed(response):
    return [doctor.name for doctor in response.context["doctor_list"]]


def test_the_list_shows_active_doctors_only(client):
    DoctorFactory(name="Dr. Shown")
    DoctorFactory(name="Dr. Retired", is_active=False)
    response = client.get(LIST)
    assert listed(response) == ["Dr. Shown"]
    assertNotContains(response, "Dr. Retired")


def test_q_searches_names_specialties_and_conditions(client):
    DoctorFactory(name="Dr. Sciatica Expert")
    DoctorFactory(name="Dr. Nerve", conditions=[ConditionFactory(name="Sciatica")])
    DoctorFactory(name="Dr. Other")
    assert listed(client.get(LIST, {"q": "sciatica"})) == ["Dr. Sciatica Expert", "Dr. Nerve"]


@pytest.mark.parametrize("field", ["specialty", "city", "location", "language"])
def test_each_filter_narrows_the_list(client, field):
    wanted = DoctorFactory(
        name="Dr. Wanted",
        specialty=SpecialtyFactory(slug="spine"),
        location=LocationFactory(slug="east", city="Pune"),
        languages=[LanguageFactory(code="mr")],
    )
    DoctorFactory(name="Dr. Unwanted", languages=[LanguageFactory(code="ta")])
    value = {"specialty": "spine", "city": "Pune", "location": "east", "language": "mr"}[field]

    response = client.get(LIST, {field: value})

    assert listed(response) == [wanted.name]


def test_filters_combine_and_stay_in_the_shareable_url(client):
    DoctorFactory(
        name="Dr. Match",
        location=LocationFactory(city="Pune"),
        conditions=[ConditionFactory(name="Scoliosis")],
    )
    DoctorFactory(name="Dr. Wrong City", conditions=[ConditionFactory(name="Scoliosis curve")])
    response = client.get(LIST, {"q": "scoliosis", "city": "Pune"})
    assert listed(response) == ["Dr. Match"]
    assertContains(response, 'value="scoliosis"')
    assertContains(response, '<option value="Pune" selected>')


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("experience", ["Dr. Senior", "Dr. Middle", "Dr. Junior"]),
        ("fee", ["Dr. Junior", "Dr. Senior", "Dr. Middle"]),
        ("relevance", ["Dr. Junior", "Dr. Middle", "Dr. Senior"]),
    ],
)
def test_each_sort_orders_the_list(client, sort, expected):
    DoctorFactory(name="Dr. Senior", practising_since=1995, fee=Decimal(900))
    DoctorFactory(name="Dr. Middle", practising_since=2005, fee=Decimal(1500))
    DoctorFactory(name="Dr. Junior", practising_since=2018, fee=Decimal(500))
    assert listed(client.get(LIST, {"sort": sort})) == expected


def test_the_list_is_paginated_and_pages_keep_the_filters(client):
    specialty = SpecialtyFactory(slug="spine")
    DoctorFactory.create_batch(14, specialty=specialty)
    first = client.get(LIST, {"specialty": "spine"})
    second = client.get(LIST, {"specialty": "spine", "page": "2"})
    assert len(first.context["doctor_list"]) == 12
    assert len(second.context["doctor_list"]) == 2
    assertContains(first, "?specialty=spine&amp;page=2")


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999", "1e9", ""])
def test_a_bad_page_number_shows_a_real_page(client, page):
    DoctorFactory.create_batch(13)
    response = client.get(LIST, {"page": page})
    assert response.status_code == 200
    assert response.context["doctor_list"]


@pytest.mark.parametrize(
    "params",
    [
        {"specialty": "no-such-thing"},
        {"city": "Atlantis"},
        {"location": "x" * 300},
        {"language": "klingon"},
        {"sort": "price-desc"},
        {"unknown": "parameter"},
    ],
)
def test_unknown_filter_values_show_the_list_with_a_message(client, params):
    DoctorFactory(name="Dr. Still Listed")
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert listed(response) == ["Dr. Still Listed"]
    if "unknown" not in params:
        assertContains(response, "Select a valid choice")


def test_an_over_long_search_is_refused_next_to_the_field_and_kept(client):
    DoctorFactory(name="Dr. Listed")
    query = "spine " * 40
    response = client.get(LIST, {"q": query})
    assert response.status_code == 200
    assertContains(response, "Keep the search under 100 characters")
    assert response.context["form"]["q"].value() == query


def test_the_card_shows_a_discounted_fee_struck_through_and_no_booking_fee(client):
    DoctorFactory(fee=Decimal(1500), original_fee=Decimal(1800), booking_fee=Decimal(0))
    response = client.get(LIST)
    assertContains(response, "<strong>₹1,500</strong>", html=False)
    assertContains(response, "₹1,800</del>")
    assertContains(response, "No booking fee")


def test_the_card_shows_a_booking_fee_and_no_strike_without_discount(client):
    DoctorFactory(fee=Decimal(900), original_fee=None, booking_fee=Decimal(49))
    response = client.get(LIST)
    assert "₹900 consultation fee + ₹49 booking fee" in visible_text(response.content)
    assertNotContains(response, "<del")
    assertNotContains(response, "No booking fee")


def test_the_card_has_book_and_call_actions_and_an_initials_avatar(client):
    DoctorFactory(name="Dr. Meera Kulkarni", practising_since=2004, qualifications="MBBS, MS, MCh")
    response = client.get(LIST)
    assertContains(response, "Book Appt.")
    assertContains(response, 'href="tel:+91-80-4000-1234"')
    assertContains(response, ">MK</span>")
    assertContains(response, "MBBS, MS, MCh")


def test_the_profile_shows_everything_about_the_doctor(client):
    doctor = DoctorFactory(
        bio="Treats backs.",
        languages=[LanguageFactory(name="Kannada")],
        conditions=[ConditionFactory(name="Sciatica")],
        procedures=[ProcedureFactory(name="Microdiscectomy")],
        location=LocationFactory(name="Whitefield branch", map_url="https://maps.example/whitefield"),
    )
    response = client.get(doctor.get_absolute_url())
    for text in [
        "Treats backs.",
        "Kannada",
        "Sciatica",
        "Microdiscectomy",
        "Whitefield branch",
        "https://maps.example/whitefield",
    ]:
        assertContains(response, text)


def test_the_profile_puts_booking_right_after_the_summary(client):
    """In the page's own order (so it holds on a phone without JavaScript): summary, then booking, then
    bio, conditions, procedures, languages, articles, map and hours (issue 13, item 5)."""
    doctor = DoctorFactory(
        bio="Treats backs.",
        languages=[LanguageFactory(name="Kannada")],
        conditions=[ConditionFactory(name="Sciatica")],
        procedures=[ProcedureFactory(name="Microdiscectomy")],
        location=LocationFactory(map_url="https://maps.example/whitefield"),
    )
    week_hours(doctor)
    ArticleFactory(author=doctor)
    page = client.get(doctor.get_absolute_url()).text
    order = [
        "<h1",
        'id="book-heading"',
        'class="slot-picker"',
        'id="about"',
        'id="conditions"',
        'id="procedures"',
        'id="languages"',
        'id="articles"',
        'id="where"',
        "https://maps.example/whitefield",
        "Weekly hours",
    ]
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    "doctor_kwargs",
    [{"is_active": False}, {"location": None}],
)
def test_inactive_doctors_404_on_their_profile(client, doctor_kwargs):
    if doctor_kwargs.get("location", 1) is None:
        doctor_kwargs = {"location": LocationFactory(is_active=False)}
    doctor = DoctorFactory(**doctor_kwargs)
    assert client.get(doctor.get_absolute_url()).status_code == 404


def test_specialty_and_location_pages_list_their_active_doctors(client):
    specialty = SpecialtyFactory(name="Neurosurgery")
    location = LocationFactory(name="Koregaon Park")
    DoctorFactory(name="Dr. In Both", specialty=specialty, location=location)
    DoctorFactory(name="Dr. Gone", specialty=specialty, location=location, is_active=False)
    DoctorFactory(name="Dr. Elsewhere")
    assert listed(client.get(specialty.get_absolute_url())) == ["Dr. In Both"]
    assert listed(client.get(location.get_absolute_url())) == ["Dr. In Both"]


def test_a_closed_location_page_404s(client):
    assert client.get(LocationFactory(is_active=False).get_absolute_url()).status_code == 404


def _page_urls(doctor):
    return [
        reverse("home"),
        LIST,
        f"{LIST}?q=disc&sort=fee",
        f"{LIST}?available=week&sort=soonest",
        doctor.get_absolute_url(),
        doctor.specialty.get_absolute_url(),
        doctor.location.get_absolute_url(),
    ]


def _query_counts(client, django_assert_max_num_queries, doctor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for url in _page_urls(doctor):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    return counts


def test_public_pages_cost_the_same_queries_with_2_or_60_doctors(client, django_assert_max_num_queries):
    specialty, location = SpecialtyFactory(), LocationFactory()
    langs = [LanguageFactory(), LanguageFactory()]
    conds = [ConditionFactory(name="Disc one"), ConditionFactory(name="Disc two")]
    doctor = DoctorFactory(specialty=specialty, location=location, languages=langs, conditions=conds)
    DoctorFactory(specialty=specialty, location=location, languages=langs, conditions=conds)
    few = _query_counts(client, django_assert_max_num_queries, doctor)

    for _ in range(58):
        DoctorFactory(
            specialty=specialty,
            location=location,
            languages=langs,
            conditions=conds,
            procedures=[ProcedureFactory()],
        )
        SpecialtyFactory()
        LocationFactory()
    many = _query_counts(client, django_assert_max_num_queries, doctor)

    assert few == many


def test_the_filter_panel_opens_when_a_filter_is_set_or_wrong(client):
    DoctorFactory(specialty=SpecialtyFactory(slug="spine"))
    assertContains(client.get(LIST, {"q": "x"}), '<details class="filter-more">')
    assertContains(client.get(LIST, {"specialty": "spine"}), '<details class="filter-more" open>')
    assertContains(client.get(LIST, {"city": "Nowhere"}), '<details class="filter-more" open>')


def test_sort_by_recommendation_puts_shown_figures_first_and_hidden_ones_last(client):
    DoctorFactory(name="Dr. Few Answers", recommend_yes=5, recommend_answers=5)  # 100 %, but hidden
    DoctorFactory(name="Dr. Eighty", recommend_yes=32, recommend_answers=40)
    DoctorFactory(
        name="Dr. Ninety Five", recommend_yes=15, recommend_answers=16, baseline_yes=4, baseline_answers=4
    )
    DoctorFactory(name="Dr. No Answers")
    response = client.get(LIST, {"sort": "recommendation"})
    assert listed(response) == ["Dr. Ninety Five", "Dr. Eighty", "Dr. Few Answers", "Dr. No Answers"]


def test_the_profile_shows_weekly_hours_with_breaks_and_other_locations(client):
    from datetime import time

    from tests.factories import WorkingHoursFactory

    doctor = DoctorFactory()
    elsewhere = LocationFactory(name="Whitefield branch")
    WorkingHoursFactory(doctor=doctor, weekday=0, starts_at=time(9, 0), ends_at=time(13, 0))
    WorkingHoursFactory(doctor=doctor, weekday=0, starts_at=time(14, 0), ends_at=time(17, 0))
    WorkingHoursFactory(
        doctor=doctor, location=elsewhere, weekday=2, starts_at=time(10, 0), ends_at=time(12, 0)
    )
    WorkingHoursFactory(doctor=doctor, location=LocationFactory(is_active=False), weekday=4)

    response = client.get(doctor.get_absolute_url())

    assertContains(response, "<dt>Monday</dt>", html=False)
    assertContains(response, "09:00–13:00, 14:00–17:00")
    assertContains(response, "10:00–12:00 (Whitefield branch)")
    assertNotContains(response, "<dt>Friday</dt>")


@pytest.fixture
def monday_morning():
    import datetime

    import time_machine

    # Monday 23 November 2026, 08:30 in Kolkata.
    with time_machine.travel(datetime.datetime(2026, 11, 23, 3, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def week_of_doctors(monday_morning):
    from tests.factories import week_hours

    week_hours(DoctorFactory(name="Dr. Zed Today"), weekdays=[0])
    week_hours(DoctorFactory(name="Dr. Alpha Thursday"), weekdays=[3])
    DoctorFactory(name="Dr. No Hours")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"available": "today"}, ["Dr. Zed Today"]),
        ({"available": "week"}, ["Dr. Alpha Thursday", "Dr. Zed Today"]),
        ({"sort": "soonest"}, ["Dr. Zed Today", "Dr. Alpha Thursday", "Dr. No Hours"]),
        ({"available": "week", "sort": "soonest"}, ["Dr. Zed Today", "Dr. Alpha Thursday"]),
    ],
)
def test_the_list_filters_and_sorts_by_the_next_free_time(client, week_of_doctors, params, expected):
    assert listed(client.get(LIST, params)) == expected


def test_availability_filters_and_sorts_cover_every_doctor_at_a_fixed_number_of_queries(
    client, monday_morning
):
    """No scan cap: the stored next free slots are read with SQL for every matching doctor (issue 14)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import week_hours

    for number in range(40):  # free only on Saturdays, named to sort before the one free today
        week_hours(DoctorFactory(name=f"Dr. Aaron {number:02d}"), weekdays=[5])
    week_hours(DoctorFactory(name="Dr. Zed Today"), weekdays=[0])
    costs = []
    for params in ({"sort": "soonest"}, {"available": "today"}):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST, params)
        costs.append(len(captured))
        assert listed(response)[0] == "Dr. Zed Today"
        assertNotContains(response, "Availability was checked for the first")
    assert listed(client.get(LIST, {"available": "today"})) == ["Dr. Zed Today"]
    week_hours(DoctorFactory(name="Dr. Zed Also Today"), weekdays=[0])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, {"available": "today"})
    assert len(captured) == costs[1]
    assert listed(response) == ["Dr. Zed Also Today", "Dr. Zed Today"]
