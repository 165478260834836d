"""Components with a heading take their level from the page that includes them.

The browser suite checks every page's whole outline (tests/e2e: one h1, no skipped level); these
tests pin the parts that the test client can see: the level each page gives its cards, the htmx swap
of the slot picker keeping the level of the page it lands in, and a missing level failing loudly.
"""

import re
from datetime import UTC, datetime, time

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse

from tests.factories import ArticleFactory, DoctorFactory, week_hours

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # Monday 08:00 IST


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def doctor():
    doctor = DoctorFactory(name="Dr. Meera Kulkarni")
    week_hours(doctor, intervals=[(time(9, 0), time(13, 0))])
    return doctor


def heading_of(html: str, text: str) -> str:
    """The tag (h1-h6) of the heading whose content contains `text`."""
    match = re.search(rf"<(h[1-6])\b[^>]*>(?:(?!</h[1-6]>).)*{re.escape(text)}", html, re.DOTALL)
    assert match, f"no heading contains {text!r}"
    return match[1]


def test_cards_directly_under_the_h1_are_h2(client, doctor):
    article = ArticleFactory(title="Recovery after a discectomy")
    book_start = client.get(reverse("appointments:start")).content.decode()
    articles = client.get(reverse("articles:list")).content.decode()
    assert heading_of(book_start, doctor.name) == "h2"
    assert heading_of(articles, article.title) == "h2"


def test_cards_under_a_section_heading_are_h3(client, doctor):
    home = client.get(reverse("home")).content.decode()
    listing = client.get(reverse("doctors:list")).content.decode()
    specialty = client.get(doctor.specialty.get_absolute_url()).content.decode()
    for page in (home, listing, specialty):
        assert heading_of(page, doctor.name) == "h3"


def test_the_slot_picker_is_h2_on_its_own_page_and_h3_on_the_profile(client, doctor):
    picker = client.get(reverse("appointments:picker", args=[doctor.slug])).content.decode()
    profile = client.get(doctor.get_absolute_url()).content.decode()
    assert heading_of(picker, "Free times on") == "h2"
    assert heading_of(profile, "Free times on") == "h3"
    assert """data-hx-vals='{"heading_level": 3}'""" in profile


@pytest.mark.parametrize(("sent", "level"), [("3", "h3"), ("2", "h2"), ("", "h2"), ("1", "h2"), ("9", "h2")])
def test_an_htmx_day_swap_keeps_the_level_the_page_sent(client, doctor, sent, level):
    response = client.get(
        reverse("appointments:picker", args=[doctor.slug]),
        {"date": "2026-11-24", "heading_level": sent},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert heading_of(response.content.decode(), "Free times on") == level


@pytest.mark.parametrize("level", [None, "", 1, 7, "three"])
def test_a_component_without_a_valid_heading_level_fails_to_render(level):
    template = Template("{% load clinic_tags %}<h{{ level|heading }}>x</h{{ level|heading }}>")
    with pytest.raises(ValueError, match="heading_level must be 2-6"):
        template.render(Context({"level": level}))
