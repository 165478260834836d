"""Site-wide pages: home, robots.txt, the favicon and the load balancer's health check."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from appointments import availability
from articles.models import Article
from doctors.models import Doctor

LATEST_ARTICLES = 3


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        doctors = availability.next_free_slots(
            Doctor.objects.active().for_cards().sorted_by("experience")[:6]
        )
        latest_articles = Article.objects.published().for_list().newest_first()[:LATEST_ARTICLES]
        return super().get_context_data(featured_doctors=doctors, latest_articles=latest_articles, **kwargs)


@never_cache
def healthz(request):
    """200 when the app can reach its database, 503 when it cannot."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def robots_txt(request):
    """Crawl everything public; keep out of the admin, private manage links and staff pages."""
    lines = [
        "User-agent: *",
        f"Disallow: /{settings.ADMIN_URL.lstrip('/')}",
        "Disallow: /a/",
        "Disallow: /staff/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def favicon(request):
    """Browsers ask for /favicon.ico on pages without an icon link (the admin): point them at ours.

    Resolved per request, not at import, so a missing static manifest cannot break URL loading.
    """
    return HttpResponsePermanentRedirect(static("favicon.svg"))
