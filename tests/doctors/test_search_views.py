"""Search as patients type it, on the demo doctors (SPEC 3.2, issue 13), on SQLite and PostgreSQL alike.

The table below is what a receptionist would answer: for each query, the demo doctors it must find.
The demo people are fictional; doctors/demo.py gives them their conditions and procedures.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from doctors import demo
from doctors.models import Condition, Doctor, Specialty
from tests.factories import (
    ConditionFactory,
    DoctorFactory,
    LocationFactory,
    ProcedureFactory,
    SpecialtyFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("doctors:list")
SUGGEST = reverse("doctors:suggest")
HTMX = {"HTTP_HX_REQUEST": "true"}

# Demo doctors by surname, grouped by what they treat, perform or are (doctors/demo.py).
SLIPPED_DISC = {"Kulkarni", "Venkatesh", "Deshpande", "Malhotra", "Shetty"}
SCIATICA = {"Kulkarni", "Venkatesh", "Siddiqui", "Deshpande", "Malhotra", "Iyer", "Joshi", "Shetty", "Mathew"}
NECK_PAIN = {"Venkatesh", "Siddiqui", "Narayanan", "Malhotra", "Iyer", "Joshi", "Bhatt", "Mathew"}
SPONDYLOSIS = {"Kulkarni", "Venkatesh", "Deshpande", "Narayanan", "Shetty", "Bhatt"}
LOW_BACK_PAIN = {"Siddiqui", "Iyer", "Joshi", "Raghavan", "Mathew"}
STENOSIS = {"Kulkarni", "Venkatesh", "Deshpande", "Malhotra", "Shetty"}
SPONDYLOLISTHESIS = {"Kulkarni", "Deshpande", "Shetty"}
FRACTURE = {"Deshpande", "Narayanan", "Shetty", "Bhatt"}
SCOLIOSIS = {"Narayanan", "Iyer", "Shetty", "Mathew"}
OSTEOPOROSIS = {"Narayanan", "Raghavan", "Bhatt"}
ANKYLOSING = {"Joshi", "Raghavan", "Mathew"}
RADICULOPATHY = {"Venkatesh", "Malhotra"}
DISC_DEGENERATION = {"Kulkarni", "Siddiqui", "Narayanan", "Iyer", "Bhatt"}
KYPHOPLASTY = {"Deshpande", "Narayanan", "Shetty"}
MICRODISCECTOMY = {"Kulkarni", "Venkatesh", "Malhotra", "Shetty"}
LAMINECTOMY = {"Venkatesh", "Deshpande", "Malhotra", "Shetty"}
INJECTIONS = {"Siddiqui", "Joshi"}  # epidural steroid injection and radiofrequency ablation
SPINE_SURGEONS = {"Kulkarni", "Deshpande", "Shetty"}
NEUROSURGEONS = {"Venkatesh", "Malhotra"}
PHYSIOS = {"Iyer", "Mathew"}
BENGALURU = {"Kulkarni", "Venkatesh", "Iyer", "Siddiqui", "Narayanan", "Raghavan", "Shetty", "Mathew"}
WHITEFIELD = {"Siddiqui", "Narayanan", "Raghavan", "Shetty", "Mathew"}
PUNE = {"Deshpande", "Malhotra", "Joshi", "Bhatt"}

# query -> the doctors it must find, and no others
EXACTLY = [
    # synonyms ("also known as" terms) and plurals
    ("herniated disc", SLIPPED_DISC),
    ("slip disc", SLIPPED_DISC),
    ("Slipped Discs", SLIPPED_DISC),
    ("disc prolapse", SLIPPED_DISC),
    ("bulging disc", SLIPPED_DISC),
    ("herniated disk", SLIPPED_DISC),
    ("leg pain", SCIATICA),
    ("neck pain", NECK_PAIN),
    ("stiff neck", NECK_PAIN),
    ("spondylosis", SPONDYLOSIS),
    ("cervical spondylosis", SPONDYLOSIS),
    ("lower back pain", LOW_BACK_PAIN),
    ("backache", LOW_BACK_PAIN),
    ("spinal stenosis", STENOSIS),
    ("slipped vertebra", SPONDYLOLISTHESIS),
    ("compression fracture", FRACTURE),
    ("curved spine", SCOLIOSIS),
    ("brittle bones", OSTEOPOROSIS),
    ("ankylosing spondylitis", ANKYLOSING),
    ("pinched nerve in the neck", RADICULOPATHY),
    ("degenerative disc disease", DISC_DEGENERATION),
    ("spinal surgeons", SPINE_SURGEONS),
    ("neurosurgeon", NEUROSURGEONS),
    ("physio", PHYSIOS),
    ("physiotherapists", PHYSIOS),
    ("orthopedic", {"Narayanan", "Bhatt"}),
    ("rheumatologist", {"Raghavan"}),
    # misspellings, case and punctuation
    ("sciatca", SCIATICA),
    ("siatica", SCIATICA),
    ("SCIATICA!!!", SCIATICA),
    ("herniatd disc", SLIPPED_DISC),
    ("spondilosis", SPONDYLOSIS),
    # procedures
    ("kyphoplasty", KYPHOPLASTY),
    ("balloon kyphoplasty", KYPHOPLASTY),
    ("microdiskectomy", MICRODISCECTOMY),
    ("endoscopic discectomy", MICRODISCECTOMY),
    ("laminectomy", LAMINECTOMY),
    ("epidural injection", INJECTIONS),
    ("RFA", INJECTIONS),
    # "Dr" prefixes and names
    ("dr shetty", {"Shetty"}),
    ("Dr. Shetty", {"Shetty"}),
    ("Dr.Shetty", {"Shetty"}),
    ("doctor kulkarni", {"Kulkarni"}),
    ("dr kulkarny", {"Kulkarni"}),
    ("meera", {"Kulkarni"}),
    # joined and split words
    ("backpain", LOW_BACK_PAIN),
    ("legpain", SCIATICA),
    ("neckpain", NECK_PAIN),
    ("kypho plasty", KYPHOPLASTY),
    # a condition, procedure or specialty with a city, a clinic or a name
    ("sciatica pune", SCIATICA & PUNE),
    ("sciatica in bangalore", SCIATICA & BENGALURU),
    ("spine surgeon whitefield", {"Shetty"}),
    ("kyphoplasty pune", KYPHOPLASTY & PUNE),
    ("slipped disc bengaluru", SLIPPED_DISC & BENGALURU),
    ("neck pain koregaon park", NECK_PAIN & PUNE),
    ("ortho poona", {"Bhatt"}),
    ("shetty sciatica", {"Shetty"}),
    ("whitefield", WHITEFIELD),
]

# query -> the doctors who must come first (in any order), before anyone else it finds
FIRST = [
    ("sciatica", SCIATICA - PHYSIOS),  # spine specialists lead sciatica care; physiotherapists after
    ("spine surgeon", SPINE_SURGEONS),  # neurosurgeons ("brain and spine surgeon") after them
    ("pain specialist", {"Siddiqui", "Joshi"}),  # Pain Medicine, then doctors treating painful conditions
]


@pytest.fixture
def demo_doctors(db):
    from appointments import nextfree

    demo.seed()
    nextfree.refresh_stale()  # the seed writes doctors in bulk (no signals); seed_demo does the same


def found(client, query, **params) -> list[str]:
    response = client.get(LIST, {"q": query, **params})
    assert response.status_code == 200
    return [doctor.name.split()[-1] for doctor in response.context["doctor_list"]]


def test_the_table_holds_at_least_forty_queries():
    assert len(EXACTLY) + len(FIRST) >= 40


@pytest.mark.parametrize(("query", "expected"), EXACTLY, ids=[query for query, _ in EXACTLY])
def test_a_patient_query_finds_exactly_the_right_demo_doctors(client, demo_doctors, query, expected):
    assert expected, "a row must expect someone"
    assert set(found(client, query)) == expected


@pytest.mark.parametrize(("query", "leaders"), FIRST, ids=[query for query, _ in FIRST])
def test_a_patient_query_lists_the_most_relevant_doctors_first(client, demo_doctors, query, leaders):
    names = found(client, query)
    assert set(names[: len(leaders)]) == leaders
    assert len(names) > len(leaders)


def test_sciatica_ranks_lead_specialists_by_experience_and_says_why(client, demo_doctors):
    response = client.get(LIST, {"q": "sciatica"})
    names = [doctor.name.split()[-1] for doctor in response.context["doctor_list"]]
    assert names[0] == "Shetty"  # spine surgeon since 1998, not the alphabetically first physiotherapist
    assert names[-2:] == ["Mathew", "Iyer"]
    assertContains(response, "Treats sciatica", count=len(SCIATICA))


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("sciatica", "Treats sciatica"),
        ("kyphoplasty", "Performs kyphoplasty"),
        ("spine surgeon", "Spine surgeon"),
        ("herniated disc", "Treats slipped disc, also called herniated disc"),
        ("epidural injection", "Performs epidural steroid injection, also called epidural injection"),
        ("backpain", "Treats chronic low back pain, also called back pain"),
    ],
)
def test_each_card_says_why_it_matched(client, demo_doctors, query, reason):
    response = client.get(LIST, {"q": query})
    cards = response.content.decode().count('class="doctor-card"')
    assert cards
    assertContains(response, 'class="doctor-card__reason"', count=cards)
    first_card = response.content.decode().split('class="doctor-card"')[1]
    assert f'<span class="visually-hidden">Why it matched: </span>{reason}</p>' in first_card


def test_cards_without_a_search_have_no_reason_line(client, demo_doctors):
    assertNotContains(client.get(LIST), "doctor-card__reason")


def test_a_corrected_misspelling_is_shown(client, demo_doctors):
    response = client.get(LIST, {"q": "sciatca"})
    assertContains(response, "Showing results for <strong>Sciatica</strong>")
    assertContains(response, "you typed “sciatca”")


# Ranking and sorts ----------------------------------------------------------------------------------


def test_relevance_comes_before_the_chosen_sort(client):
    sciatica = ConditionFactory(name="Sciatica")
    spine = SpecialtyFactory(name="Spine Surgery")
    sciatica.lead_specialties.set([spine])
    DoctorFactory(name="Dr. Lead Surgeon", specialty=spine, conditions=[sciatica], fee=Decimal(2000))
    DoctorFactory(name="Dr. Cheap Physio", conditions=[sciatica], fee=Decimal(500))
    DoctorFactory(name="Dr. Cheaper Physio", conditions=[sciatica], fee=Decimal(400))
    assert found(client, "sciatica", sort="fee") == ["Surgeon", "Physio", "Physio"]
    assert [d.name for d in client.get(LIST, {"q": "sciatica", "sort": "fee"}).context["doctor_list"]][
        1:
    ] == [
        "Dr. Cheaper Physio",
        "Dr. Cheap Physio",
    ]


def test_without_lead_specialties_treating_doctors_rank_by_experience(client):
    sciatica = ConditionFactory(name="Sciatica")
    DoctorFactory(name="Dr. Ananya Junior", conditions=[sciatica], practising_since=2015)
    DoctorFactory(name="Dr. Zed Senior", conditions=[sciatica], practising_since=1995)
    assert found(client, "sciatica") == ["Senior", "Junior"]


def test_an_exact_term_ranks_above_a_partial_one(client):
    DoctorFactory(name="Dr. Partial", conditions=[ConditionFactory(name="Inflammatory back pain syndrome")])
    DoctorFactory(name="Dr. Exact", conditions=[ConditionFactory(name="Back pain")], practising_since=2020)
    assert found(client, "back pain") == ["Exact", "Partial"]


def test_terms_added_in_the_admin_are_searched(admin_client, client):
    condition = ConditionFactory(name="Slipped disc", slug="slipped-disc")
    DoctorFactory(name="Dr. Disc Person", conditions=[condition])
    assert found(client, "PIVD") == []
    response = admin_client.post(
        reverse("admin:doctors_condition_change", args=[condition.pk]),
        {
            "name": "Slipped disc",
            "slug": "slipped-disc",
            "also_known_as": "PIVD, disc prolapse",
            "description": "",
        },
    )
    assert response.status_code == 302
    assert Condition.objects.get().aliases == ["PIVD", "disc prolapse"]
    assert found(client, "pivd") == ["Person"]


def test_a_specialtys_practitioner_and_aliases_are_edited_in_the_admin(admin_client):
    specialty = SpecialtyFactory(name="Spine Surgery", slug="spine-surgery")
    response = admin_client.post(
        reverse("admin:doctors_specialty_change", args=[specialty.pk]),
        {
            "name": "Spine Surgery",
            "slug": "spine-surgery",
            "practitioner": "Spine surgeon",
            "also_known_as": "spinal surgeon",
            "description": "",
        },
    )
    assert response.status_code == 302
    specialty.refresh_from_db()
    assert (specialty.practitioner, specialty.aliases) == ("Spine surgeon", ["spinal surgeon"])


def test_a_city_that_is_also_in_a_clinic_name_finds_both(client):
    central = LocationFactory(name="Pune Central", city="Pune")
    camp = LocationFactory(name="Camp", city="Pune")
    DoctorFactory(name="Dr. Central", location=central)
    DoctorFactory(name="Dr. Camp", location=camp)
    DoctorFactory(name="Dr. Elsewhere")
    assert sorted(found(client, "pune")) == ["Camp", "Central"]


def test_procedures_are_searchable(client):
    DoctorFactory(name="Dr. Performs It", procedures=[ProcedureFactory(name="Vertebroplasty")])
    DoctorFactory(name="Dr. Does Not")
    assert found(client, "vertebroplasty") == ["It"]


def test_inactive_doctors_are_not_found_nor_suggested(client):
    DoctorFactory(name="Dr. Gone Away", is_active=False)
    assert found(client, "gone away") == []
    assertNotContains(client.get(SUGGEST, {"q": "gone"}, **HTMX), "Gone Away")


@pytest.mark.parametrize(
    "query", ["' OR 1=1 --", "%", "_", "\\", "<script>alert(1)</script>", "😀", "a" * 100, "   "]
)
def test_odd_input_is_searched_safely(client, demo_doctors, query):
    response = client.get(LIST, {"q": query})
    assert response.status_code == 200
    assertNotContains(response, "<script>alert(1)</script>")
    assert client.get(SUGGEST, {"q": query}, **HTMX).status_code == 200


def test_a_nul_in_the_search_is_a_400_before_the_database_sees_it(client):
    # PostgreSQL cannot compare text holding a NUL (clinic.middleware.UnreadableRequestMiddleware).
    assert client.get(LIST, {"q": "a\x00b"}).status_code == 400
    assert client.get(SUGGEST, {"q": "\x00"}, **HTMX).status_code == 400


# Nothing found -------------------------------------------------------------------------------------


def test_nothing_found_offers_a_close_term_common_conditions_and_the_phone(client, demo_doctors):
    response = client.get(LIST, {"q": "physiotherapy pune"})
    assert list(response.context["doctor_list"]) == []
    assertContains(response, '<a href="/doctors/?q=physiotherapy">physiotherapy</a>')
    assertContains(response, "Conditions our doctors treat most")
    assertContains(response, '<a href="/doctors/?q=Sciatica">Sciatica</a>')
    assertContains(response, 'href="tel:+91-80-4000-1234">Call +91 80 4000 1234</a>')


def test_did_you_mean_offers_a_term_spelt_like_an_unknown_word(client, demo_doctors):
    response = client.get(LIST, {"q": "kyfoplastie zzz"})
    assert response.context["did_you_mean"][0] == "Kyphoplasty"
    assertContains(response, "Did you mean")


def test_did_you_mean_offers_only_what_finds_doctors(client, demo_doctors):
    response = client.get(LIST, {"q": "qqqq wwww"})
    assert response.context["did_you_mean"] == []
    assertNotContains(response, "Did you mean")
    assertContains(response, "Conditions our doctors treat most")


def test_nothing_found_with_filters_offers_the_search_without_them(client, demo_doctors):
    response = client.get(LIST, {"q": "kyphoplasty", "language": "ml"})
    assert list(response.context["doctor_list"]) == []
    assertContains(response, "Search again without the filters")


# Suggestions ---------------------------------------------------------------------------------------


def test_suggestions_are_listbox_options(client, demo_doctors):
    response = client.get(SUGGEST, {"q": "herni"}, **HTMX)
    assertContains(response, 'role="option"', count=1)
    assertContains(response, 'data-value="Slipped disc"')
    assertContains(response, "also called herniated disc")


def test_a_doctor_suggestion_links_to_the_profile(client, demo_doctors):
    response = client.get(SUGGEST, {"q": "dr shet"}, **HTMX)
    assertContains(response, 'data-href="/doctors/vikram-shetty/"')


def test_suggestions_without_htmx_go_to_the_list(client):
    response = client.get(SUGGEST, {"q": "sciatica pune"})
    assert response.status_code == 302
    assert response["Location"] == "/doctors/?q=sciatica+pune"
    assert "HX-Request" in response["Vary"]
    assert "HX-Request" in client.get(SUGGEST, {"q": "sci"}, **HTMX)["Vary"]


def test_the_search_boxes_ask_for_suggestions(client, demo_doctors):
    for url, input_id in [(reverse("home"), "home-q"), (LIST, "id_q")]:
        response = client.get(url)
        assertContains(response, f'data-hx-target="#{input_id}-listbox"')
        assertContains(response, f'id="{input_id}-listbox" role="listbox"')
        assertContains(response, "js/search-suggest.js")


# Query counts --------------------------------------------------------------------------------------

PAGES = [
    (reverse("home"), {}),
    (LIST, {"q": "herniated disc"}),
    (LIST, {"q": "sciatca bangalore", "sort": "fee"}),
    (LIST, {"q": "kyphoplasty", "sort": "soonest"}),
    (LIST, {"q": "qqqq wwww"}),  # nothing found, nothing to offer
    (LIST, {"q": "physiotherapy xqzt"}),  # nothing found: an alternative checked
    (SUGGEST, {"q": "sci"}),
    (SUGGEST, {"q": "dr kul"}),
]


def query_counts(client) -> list[int]:
    counts = []
    for url, params in PAGES:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params, **HTMX if url == SUGGEST else {}).status_code == 200
        counts.append(len(captured))
    return counts


def test_search_pages_cost_the_same_queries_with_12_or_1012_doctors(client, demo_doctors):
    from appointments import nextfree

    few = query_counts(client)
    demo.seed(synthetic_doctors=1000)
    nextfree.refresh_stale()
    assert Doctor.objects.count() == 1012
    assert query_counts(client) == few


def test_the_vocabulary_is_read_in_six_queries(django_assert_num_queries, demo_doctors):
    from doctors.search import load_vocabulary

    with django_assert_num_queries(6):
        load_vocabulary()


def test_common_conditions_are_those_most_active_doctors_treat(demo_doctors):
    from doctors.search import common_conditions

    # Sciatica: 9 demo doctors, neck pain 8, spondylosis 6 (doctors/demo.py)
    assert common_conditions(limit=3) == ["Sciatica", "Neck pain", "Spondylosis"]
    Doctor.objects.filter(name__endswith="Shetty").update(is_active=False)
    assert common_conditions(limit=3) == ["Neck pain", "Sciatica", "Chronic low back pain"]  # 8 each, then 5


def test_the_demo_has_vocabulary_for_every_condition_procedure_and_specialty(demo_doctors):
    from doctors.models import Procedure

    for model in (Condition, Procedure, Specialty):
        assert all(row.aliases for row in model.objects.all()), model
    assert all(row.lead_specialties.exists() for row in Condition.objects.all())
