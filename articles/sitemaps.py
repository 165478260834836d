"""Sitemap sections for articles and their categories (published content only)."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef

from articles.models import Article, Category


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.7

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class CategorySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        published = Article.objects.published().filter(category=OuterRef("pk"))
        return Category.objects.filter(Exists(published)).only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at
