"""Site-wide pages: home, robots.txt, the favicon, the load balancer's health check, error pages."""

import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import page_not_found as django_page_not_found
from django.views.defaults import permission_denied as django_permission_denied
from django.views.defaults import server_error as django_server_error
from django.views.generic import TemplateView

from appointments import availability
from articles.models import Article
from doctors.models import Doctor

LATEST_ARTICLES = 3
# Seconds a client (or a load balancer) is asked to wait after a 503.
RETRY_AFTER_SECONDS = 30


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
    """200 when the app can reach its database, 503 when it cannot.

    A database that accepts connections and never answers gives up after the connect timeout
    (DATABASE_CONNECT_TIMEOUT, 3 s by default; clinic/dbconfig.py), so this answers within seconds.
    """
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


def server_error(request):
    """handler500: a short "try again" page with status 503 when the database is unreachable or too
    slow (connect or statement timeout, lost connection); Django's plain 500 page for anything else.

    The 503 page is a standalone template that reads no session, user or message (each of those
    would ask the database again). SPEC 4: "a database that does not answer gives a 503 within seconds".
    """
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return django_server_error(request)
    response = render(request, "503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def _is_staff_path(request) -> bool:
    return request.path.startswith(reverse("staff:day"))


def permission_denied(request, exception=None):
    """handler403: under /staff/ a page in the staff frame that says who is signed in and what to do
    (sign in as someone else, or go back to the day); Django's default anywhere else. Issue 12 item 2."""
    if not _is_staff_path(request):
        return django_permission_denied(request, exception)
    return render(request, "appointments/staff_403.html", status=403)


def page_not_found(request, exception=None):
    """handler404: under /staff/ a page in the staff frame (a doctor asking for another doctor's visit
    gets this too: out of scope reads as "not found", docs/decisions.md); Django's default elsewhere."""
    if not _is_staff_path(request):
        return django_page_not_found(request, exception)
    return render(request, "appointments/staff_404.html", status=404)
