"""Public article pages: the list, category pages and the article itself (with draft preview for editors)."""

from datetime import UTC, datetime

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, ListView

from appointments import availability
from articles import seo
from articles.models import Article, Category
from articles.services import article_ensure_rendered
from doctors.models import Doctor
from doctors.views import ForgivingPaginationMixin

PREVIEW_PERMISSION = "articles.view_article"
SPECIALIST_CARDS = 4
SPECIALIST_CANDIDATES = 12
MORE_FROM_CATEGORY = 3


def specialists_for(article: Article, limit: int = SPECIALIST_CARDS):
    """Active doctors who treat what the article is about, soonest free time first.

    Candidates are doctors matching its specialties or conditions plus the author and reviewer (so
    every article leads to a bookable doctor, even one tagged with nothing): a bounded set read in
    one query, given their next free times in one bulk call, then ordered by that time.
    """
    candidates = availability.next_free_slots(_candidates(article)[:SPECIALIST_CANDIDATES])
    never = datetime.max.replace(tzinfo=UTC)
    candidates.sort(key=lambda d: d.next_free_slot.start if d.next_free_slot else never)
    return candidates[:limit]


def _candidates(article: Article):
    own = [article.author_id, article.reviewer_id]
    return (
        Doctor.objects.active()
        .for_cards()
        .filter(
            Q(pk__in=own)
            | Q(specialty__in=article.specialties.values("pk"))
            | Q(conditions__in=article.conditions.values("pk"))
        )
        .annotate(
            wrote_it=Case(When(pk__in=own, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
        .distinct()
        .order_by("-wrote_it", "practising_since", "name")
    )


class ArticleListView(ForgivingPaginationMixin, ListView):
    """`/articles/` and `/articles/category/<slug>/`: published articles, newest first."""

    template_name = "articles/article_list.html"
    context_object_name = "article_list"
    paginate_by = 10

    def get(self, request, *args, **kwargs):
        # `?category=<slug>` (the filter form without JavaScript) lands on the category's own page.
        wanted = request.GET.get("category", "")
        if "slug" not in kwargs and wanted:
            category = Category.objects.filter(slug=wanted[:100]).first()
            if category:
                return redirect(category)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        self.category = None
        articles = Article.objects.published().for_list().newest_first()
        if "slug" in self.kwargs:
            self.category = get_object_or_404(Category, slug=self.kwargs["slug"])
            articles = articles.filter(category=self.category)
        return articles

    def get_context_data(self, **kwargs):
        categories = Category.objects.filter(
            Exists(Article.objects.published().filter(category=OuterRef("pk")))
        )
        return super().get_context_data(category=self.category, categories=categories, **kwargs)


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"

    def get_queryset(self):
        articles = Article.objects.select_related(
            "category", "author__specialty", "reviewer__specialty"
        ).prefetch_related("faqs", "specialties", "conditions")
        if self.request.user.has_perm(PREVIEW_PERMISSION):
            return articles
        return articles.published()

    def get_object(self, queryset=None):
        return article_ensure_rendered(article=super().get_object(queryset))

    def get_context_data(self, **kwargs):
        article = self.object
        more = (
            Article.objects.published()
            .for_list()
            .filter(category=article.category_id)
            .exclude(pk=article.pk)
            .newest_first()[:MORE_FROM_CATEGORY]
        )
        structured_data = [
            seo.medical_web_page(article, self.request),
            seo.faq_page(article, self.request),
            seo.article_breadcrumbs(article, self.request),
        ]
        return super().get_context_data(
            is_preview=not article.is_published,
            specialists=specialists_for(article),
            more_articles=more,
            structured_data=[data for data in structured_data if data],
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["is_preview"]:
            response.headers["X-Robots-Tag"] = "noindex"
            response.headers["Cache-Control"] = "private, no-store"
        return response
