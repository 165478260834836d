import datetime
import importlib
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from articles.models import Article, ArticleStatus
from articles.services import article_ensure_rendered, article_save
from tests.factories import ArticleFactory, CategoryFactory, DoctorFactory

pytestmark = pytest.mark.django_db


def test_the_database_refuses_an_author_reviewing_their_own_article():
    doctor = DoctorFactory()
    with pytest.raises(IntegrityError):
        ArticleFactory(author=doctor, reviewer=doctor)


def test_full_clean_explains_that_the_reviewer_must_differ():
    doctor = DoctorFactory()
    article = ArticleFactory.build(author=doctor, reviewer=doctor, category=CategoryFactory())
    with pytest.raises(ValidationError, match="The reviewer must be a different doctor from the author"):
        article.full_clean()


def test_the_database_refuses_a_published_article_without_a_date():
    with pytest.raises(IntegrityError):
        ArticleFactory(status=ArticleStatus.PUBLISHED, published_at=None)


def test_published_means_published_status_and_a_date_not_in_the_future():
    shown = ArticleFactory()
    ArticleFactory(status=ArticleStatus.DRAFT)
    ArticleFactory(published_at=timezone.now() + datetime.timedelta(hours=1))
    assert list(Article.objects.published()) == [shown]


def test_involving_finds_articles_written_or_reviewed():
    doctor = DoctorFactory()
    written = ArticleFactory(author=doctor)
    reviewed = ArticleFactory(reviewer=doctor)
    ArticleFactory()
    assert set(Article.objects.involving(doctor)) == {written, reviewed}


@pytest.mark.parametrize(
    ("today", "overdue"),
    [
        (datetime.date(2026, 3, 10), False),
        (datetime.date(2027, 3, 9), False),
        (datetime.date(2027, 3, 10), False),
        (datetime.date(2027, 3, 11), True),
        (datetime.date(2028, 1, 1), True),
    ],
)
def test_the_review_is_overdue_only_after_twelve_months(today, overdue):
    article = ArticleFactory.build(last_reviewed_on=datetime.date(2026, 3, 10))
    with time_machine.travel(datetime.datetime.combine(today, datetime.time(12), tzinfo=datetime.UTC)):
        assert article.is_review_overdue is overdue


def test_a_review_on_29_february_falls_due_on_28_february():
    assert ArticleFactory.build(last_reviewed_on=datetime.date(2028, 2, 29)).review_due_on == datetime.date(
        2029, 2, 28
    )


def test_saving_through_the_service_stores_the_rendering_and_a_publication_date():
    article = ArticleFactory.build(
        author=DoctorFactory(),
        reviewer=DoctorFactory(),
        category=CategoryFactory(),
        body="## Hello\n\n" + "word " * 450,
        published_at=None,
    )
    article_save(article=article)
    article.refresh_from_db()
    assert article.body_html.startswith('<h2 id="hello">Hello</h2>')
    assert article.toc == [{"id": "hello", "title": "Hello", "children": []}]
    assert article.reading_minutes == 3
    assert article.published_at is not None


def test_an_unchanged_body_is_not_rendered_again():
    article = ArticleFactory()
    with mock.patch("articles.services.render_markdown") as render:
        article.title = "New title"
        article_save(article=article)
    render.assert_not_called()


def test_a_body_saved_around_the_service_is_rendered_once_and_stored():
    article = ArticleFactory()
    Article.objects.filter(pk=article.pk).update(body="## Changed\n\nNew text")
    stale = Article.objects.get(pk=article.pk)
    article_ensure_rendered(article=stale)
    fresh = Article.objects.get(pk=article.pk)
    assert '<h2 id="changed">' in fresh.body_html
    with mock.patch("articles.services.render_markdown") as render:
        article_ensure_rendered(article=fresh)
    render.assert_not_called()


def test_the_migration_dates_existing_articles_by_their_last_save_but_never_after_the_review():
    """Articles saved before `updated_on` existed: the save's date, or the last review when the save
    came after it (the demo seeding's and a typo fix's saves are not updates readers need to know of)."""
    from django.apps import apps

    migration = importlib.import_module("articles.migrations.0003_article_editorial_updated_on")
    today = timezone.localdate()
    saved_after_review = ArticleFactory(last_reviewed_on=today - datetime.timedelta(days=10))
    saved_before_review = ArticleFactory(last_reviewed_on=today)
    Article.objects.filter(pk=saved_before_review.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=3)
    )
    Article.objects.update(updated_on=today - datetime.timedelta(days=999))

    migration.editorial_date_from_saves(apps, None)

    saved_after_review.refresh_from_db()
    saved_before_review.refresh_from_db()
    assert saved_after_review.updated_on == today - datetime.timedelta(days=10)
    assert saved_before_review.updated_on == timezone.localdate(saved_before_review.updated_at)
