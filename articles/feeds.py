"""RSS feed of the latest published articles (`/articles/feed/`)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from articles.models import Article

FEED_SIZE = 20


class LatestArticlesFeed(Feed):
    link = reverse_lazy("articles:list")
    description = _("Doctor-written, medically reviewed articles about spine care.")

    def title(self):
        return _("%(name)s: articles") % {"name": settings.CLINIC_NAME}

    def items(self):
        return Article.objects.published().for_list().newest_first()[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.author.name

    def item_categories(self, item):
        return [item.category.name]
