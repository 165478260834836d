import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from articles.models import Article, ArticleStatus
from tests.factories import ArticleFactory, CategoryFactory, DoctorFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:articles_article_add")


def form_data(**overrides):
    data = {
        "title": "New article",
        "slug": "new-article",
        "summary": "Short summary.",
        "category": CategoryFactory().pk,
        "body": "## Section\n\nText <script>alert(1)</script>",
        "author": DoctorFactory().pk,
        "reviewer": DoctorFactory().pk,
        "updated_on": "2026-01-10",
        "last_reviewed_on": "2026-01-15",
        "status": ArticleStatus.PUBLISHED,
        "published_at_0": "",
        "published_at_1": "",
        "hero_image_alt": "",
        "faqs-TOTAL_FORMS": "1",
        "faqs-INITIAL_FORMS": "0",
        "faqs-MIN_NUM_FORMS": "0",
        "faqs-MAX_NUM_FORMS": "1000",
        "faqs-0-order": "1",
        "faqs-0-question": "Is it safe?",
        "faqs-0-answer": "Usually.",
    }
    data.update(overrides)
    return data


def test_the_admin_refuses_a_reviewer_who_is_the_author(admin_client):
    doctor = DoctorFactory()
    response = admin_client.post(ADD, form_data(author=doctor.pk, reviewer=doctor.pk))
    assert response.status_code == 200
    assertContains(response, "The reviewer must be a different doctor from the author.")
    assert not Article.objects.exists()


def test_a_content_editor_publishes_an_article_with_faq_rendered_and_dated(client, content_editor):
    client.force_login(content_editor)
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 200
    response = client.post(ADD, form_data())
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert article.published_at is not None
    assert article.body_html.startswith('<h2 id="section">Section</h2>')
    assert "<script" not in article.body_html
    assert article.faqs.get().question == "Is it safe?"
    assert article.updated_on == datetime.date(2026, 1, 10)  # the date the editor set, not today's save


def test_the_last_update_cannot_be_in_the_future(admin_client):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = admin_client.post(ADD, form_data(updated_on=tomorrow.isoformat()))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["updated_on"] == [
        "The last update cannot be in the future."
    ]
    assert not Article.objects.exists()


def test_editing_the_body_in_the_admin_refreshes_the_stored_rendering(admin_client):
    article = ArticleFactory()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(
        title=article.title,
        slug=article.slug,
        category=article.category_id,
        author=article.author_id,
        reviewer=article.reviewer_id,
        body="## Rewritten\n\nNew text",
        **{"faqs-TOTAL_FORMS": "0"},
    )
    assert admin_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.toc == [{"id": "rewritten", "title": "Rewritten", "children": []}]


def test_the_change_page_links_to_the_draft_preview(admin_client):
    draft = ArticleFactory(status=ArticleStatus.DRAFT)
    response = admin_client.get(reverse("admin:articles_article_change", args=[draft.pk]))
    assertContains(response, f'href="{draft.get_absolute_url()}"')
    assertContains(response, "Preview draft")


def test_content_editors_hold_every_article_permission_by_migration(client, content_editor):
    for model in ["article", "faq", "category"]:
        for action in ["add", "change", "delete", "view"]:
            assert content_editor.has_perm(f"articles.{action}_{model}")
    client.force_login(content_editor)
    assert client.get(reverse("admin:articles_category_add")).status_code == 200


def test_front_desk_cannot_edit_articles(client, front_desk_user):
    client.force_login(front_desk_user)
    assert client.get(ADD).status_code == 403
