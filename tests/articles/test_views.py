import datetime
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import ArticleStatus
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    ConditionFactory,
    DoctorFactory,
    FAQFactory,
    LocationFactory,
    SpecialtyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("articles:list")


def titles(response, key="article_list"):
    return [article.title for article in response.context[key]]


def test_the_list_shows_published_articles_newest_first_and_paginates(client):
    now = timezone.now()
    for day in range(12):
        ArticleFactory(title=f"Day {day}", published_at=now - datetime.timedelta(days=day + 1))
    ArticleFactory(title="Draft", status=ArticleStatus.DRAFT)
    ArticleFactory(title="Scheduled", published_at=now + datetime.timedelta(days=1))

    first, second = client.get(LIST), client.get(LIST, {"page": 2})

    assert titles(first) == [f"Day {day}" for day in range(10)]
    assert titles(second) == ["Day 10", "Day 11"]
    assertNotContains(first, "Draft")
    assertNotContains(first, "Scheduled")


def test_a_category_page_lists_only_that_category(client):
    spine = CategoryFactory(name="Musculoskeletal Disorders", slug="musculoskeletal-disorders")
    ArticleFactory(title="In spine", category=spine)
    ArticleFactory(title="Elsewhere")
    response = client.get(spine.get_absolute_url())
    assert titles(response) == ["In spine"]
    assertContains(response, "<h1>Musculoskeletal Disorders</h1>", html=True)


def test_the_category_filter_leads_to_the_category_page_and_ignores_unknown_values(client):
    spine = CategoryFactory(slug="spine")
    ArticleFactory(category=spine)
    assert client.get(LIST, {"category": "spine"})["Location"] == spine.get_absolute_url()
    assert client.get(LIST, {"category": "nope"}).status_code == 200
    assert client.get(reverse("articles:category", kwargs={"slug": "nope"})).status_code == 404


def test_the_detail_page_shows_everything_spec_3_6_asks_for(client):
    author = DoctorFactory(name="Dr. Meera Kulkarni", qualifications="MBBS, MS (Ortho)")
    reviewer = DoctorFactory(name="Dr. Vikram Shetty", qualifications="MBBS, MCh")
    article = ArticleFactory(
        title="Minimally invasive spine surgery",
        summary="What MISS is.",
        body="## What it is\n\nSmall cuts.\n\n## Recovery\n\nWalk early.",
        author=author,
        reviewer=reviewer,
    )
    FAQFactory(article=article, question="Will I have a scar?", answer="A small one.")

    response = client.get(article.get_absolute_url())

    assertContains(response, "Written by")
    assertContains(response, f'<a href="{author.get_absolute_url()}">Dr. Meera Kulkarni</a>', html=True)
    assertContains(response, "MBBS, MS (Ortho)")
    assertContains(response, "Reviewed by")
    assertContains(response, f'<a href="{reviewer.get_absolute_url()}">Dr. Vikram Shetty</a>', html=True)
    assertContains(response, "MBBS, MCh")
    assertContains(response, "Last updated on")
    assertContains(response, '<a href="#what-it-is">What it is</a>', html=True)
    assertContains(response, '<h2 id="recovery">Recovery</h2>', html=True)
    assertContains(response, "<summary>Will I have a scar?</summary>", html=True)
    assertContains(response, "Consult a Specialist")
    assertContains(response, "Book Appt.")
    assertNotContains(response, "Draft preview")
    assertNotContains(response, "last medically reviewed")


def test_last_updated_on_is_the_editorial_date_not_the_last_save(client):
    """Issue 13, item 7: seeding (or a typo fix) saved after the review made "Last updated" later than
    "Last reviewed"; the page shows the date an editor set."""
    today = timezone.localdate()
    updated, reviewed = today - datetime.timedelta(days=40), today - datetime.timedelta(days=30)
    article = ArticleFactory(updated_on=updated, last_reviewed_on=reviewed)
    article.summary = "A typo fixed today."
    article.save()

    response = client.get(article.get_absolute_url())

    assertContains(response, f'<time datetime="{updated.isoformat()}">{updated:%-d %B %Y}</time>', html=True)
    assertNotContains(response, f'<time datetime="{today.isoformat()}">')
    assertContains(response, f'<meta property="article:modified_time" content="{updated.isoformat()}">')


def test_the_review_overdue_notice_shows_after_twelve_months(client):
    article = ArticleFactory(last_reviewed_on=timezone.localdate() - datetime.timedelta(days=400))
    assertContains(client.get(article.get_absolute_url()), "more than a year ago")


def test_consult_a_specialist_shows_up_to_four_active_matching_doctors(client):
    spine, sciatica = SpecialtyFactory(), ConditionFactory()
    author, reviewer = DoctorFactory(specialty=spine), DoctorFactory()
    article = ArticleFactory(author=author, reviewer=reviewer, specialties=[spine], conditions=[sciatica])
    by_condition = DoctorFactory(name="Dr. Condition", conditions=[sciatica, ConditionFactory()])
    DoctorFactory(name="Dr. Inactive", specialty=spine, is_active=False)
    DoctorFactory(name="Dr. Closed", specialty=spine, location=LocationFactory(is_active=False))
    DoctorFactory(name="Dr. Unrelated")

    cards = list(client.get(article.get_absolute_url()).context["specialists"])

    assert cards[:2] == [author, reviewer]
    assert set(cards) == {author, reviewer, by_condition}

    DoctorFactory.create_batch(5, specialty=spine)
    assert len(client.get(article.get_absolute_url()).context["specialists"]) == 4


def test_more_articles_from_the_category_exclude_this_one_and_drafts(client):
    category = CategoryFactory(name="Musculoskeletal Disorders")
    article = ArticleFactory(category=category)
    sibling = ArticleFactory(title="Sibling", category=category)
    ArticleFactory(title="Sibling draft", category=category, status=ArticleStatus.DRAFT)
    ArticleFactory(title="Other category")
    response = client.get(article.get_absolute_url())
    assert titles(response, "more_articles") == [sibling.title]
    assertContains(response, "More articles from Musculoskeletal Disorders")


def test_the_stored_rendering_is_served_without_rendering_again(client):
    article = ArticleFactory()
    with mock.patch("articles.services.render_markdown") as render:
        assert client.get(article.get_absolute_url()).status_code == 200
    render.assert_not_called()


@pytest.fixture
def draft():
    return ArticleFactory(title="Secret draft", status=ArticleStatus.DRAFT, published_at=None)


def test_drafts_are_invisible_to_the_public(client, draft, front_desk_user):
    assert client.get(draft.get_absolute_url()).status_code == 404
    assertNotContains(client.get(LIST), "Secret draft")
    assertNotContains(client.get(draft.category.get_absolute_url()), "Secret draft")
    client.force_login(front_desk_user)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_content_editors_preview_drafts_with_a_banner(client, draft, content_editor):
    client.force_login(content_editor)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assertContains(response, "Draft preview.")
    assert response["X-Robots-Tag"] == "noindex"
    assertNotContains(client.get(LIST), "Secret draft")


def test_any_user_with_the_view_permission_may_preview(client, draft):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(user)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_the_doctor_profile_lists_articles_written_or_reviewed(client):
    doctor = DoctorFactory()
    ArticleFactory(title="Written by me", author=doctor)
    ArticleFactory(title="Reviewed by me", reviewer=doctor)
    ArticleFactory(title="My draft", author=doctor, status=ArticleStatus.DRAFT)
    ArticleFactory(title="Not mine")
    response = client.get(doctor.get_absolute_url())
    assert set(titles(response, "doctor_articles")) == {"Written by me", "Reviewed by me"}
    assertContains(response, "Articles written or reviewed")
    assertContains(response, "Medical reviewer")


def test_the_home_page_and_header_link_to_the_latest_articles(client):
    ArticleFactory(title="Old", published_at=timezone.now() - datetime.timedelta(days=9))
    for n in range(3):
        ArticleFactory(title=f"New {n}", published_at=timezone.now() - datetime.timedelta(days=n + 1))
    response = client.get(reverse("home"))
    assert titles(response, "latest_articles") == ["New 0", "New 1", "New 2"]
    assertContains(response, f'<a href="{LIST}">Articles</a>', html=True)


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _urls(article):
    return [
        article.get_absolute_url(),
        LIST,
        article.category.get_absolute_url(),
        reverse("articles:feed"),
        reverse("home"),
        article.author.get_absolute_url(),
    ]


def test_article_pages_cost_the_same_queries_with_3_or_300_articles(client):
    category, spine, sciatica = CategoryFactory(), SpecialtyFactory(), ConditionFactory()
    author, reviewer = DoctorFactory(specialty=spine), DoctorFactory(conditions=[sciatica])
    DoctorFactory.create_batch(3, specialty=spine, conditions=[sciatica])
    shared = {"category": category, "author": author, "reviewer": reviewer}
    article = ArticleFactory(specialties=[spine], conditions=[sciatica], **shared)
    FAQFactory.create_batch(3, article=article)
    ArticleFactory.create_batch(2, **shared)
    few = [_count_queries(client, url) for url in _urls(article)]

    ArticleFactory.create_batch(297, **shared)
    FAQFactory.create_batch(5, article=article)
    DoctorFactory.create_batch(5, specialty=spine, conditions=[sciatica])
    many = [_count_queries(client, url) for url in _urls(article)]

    assert few == many


def test_consult_a_specialist_lists_the_soonest_available_doctor_first(client):
    import time_machine

    from tests.factories import SpecialtyFactory, week_hours

    specialty = SpecialtyFactory()
    no_hours = DoctorFactory(name="Dr. No Hours", specialty=specialty)
    later = DoctorFactory(name="Dr. Thursday", specialty=specialty)
    sooner = DoctorFactory(name="Dr. Tuesday", specialty=specialty)
    week_hours(later, weekdays=[3])
    week_hours(sooner, weekdays=[1])

    # Monday 23 November 2026, 08:30 in Kolkata. The article is built inside the travelled clock, so
    # "published yesterday" means yesterday of that Monday, whatever the real date is.
    with time_machine.travel(datetime.datetime(2026, 11, 23, 3, 0, tzinfo=datetime.UTC), tick=False):
        article = ArticleFactory(author=no_hours, reviewer=later, specialties=[specialty])
        response = client.get(article.get_absolute_url())

    names = [doctor.name for doctor in response.context["specialists"]]
    assert names == ["Dr. Tuesday", "Dr. Thursday", "Dr. No Hours"]
