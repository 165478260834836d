"""Article writes: keep the stored rendering in step with the body."""

import logging

from django.db import transaction
from django.utils import timezone

from articles.models import Article, ArticleStatus
from articles.rendering import fingerprint, render_markdown

logger = logging.getLogger(__name__)


def article_render(*, article: Article) -> bool:
    """Refresh the stored HTML, table of contents and reading time if the body (or renderer) changed.

    Returns whether anything was rendered; the caller saves.
    """
    key = fingerprint(article.body)
    if article.rendered_fingerprint == key:
        return False
    rendered = render_markdown(article.body)
    article.body_html = rendered.html
    article.toc = rendered.toc
    article.reading_minutes = rendered.reading_minutes
    article.rendered_fingerprint = key
    return True


@transaction.atomic
def article_save(*, article: Article) -> Article:
    """Validate, render and save one article (used by the admin, demo content and factories)."""
    if article.status == ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
    article_render(article=article)
    article.full_clean()
    article.save()
    return article


def article_ensure_rendered(*, article: Article) -> Article:
    """Safety net for the detail page: a body saved around the services (shell, bulk update, a new
    renderer version) is rendered once and stored, not on every request."""
    if article_render(article=article):
        logger.info("Re-rendered stale article %s", article.pk)
        Article.objects.filter(pk=article.pk).update(
            body_html=article.body_html,
            toc=article.toc,
            reading_minutes=article.reading_minutes,
            rendered_fingerprint=article.rendered_fingerprint,
        )
    return article
