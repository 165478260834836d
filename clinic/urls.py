"""Root URLconf: each app brings its own URLs; the admin lives at a configurable path."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from articles.sitemaps import ArticleSitemap, CategorySitemap
from clinic import views
from doctors.sitemaps import DoctorSitemap, LocationSitemap, SpecialtySitemap
from privacy.views import NoticeView

SITEMAPS = {
    "doctors": DoctorSitemap,
    "specialties": SpecialtySitemap,
    "locations": LocationSitemap,
    "articles": ArticleSitemap,
    "article-categories": CategorySitemap,
}

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("privacy/", NoticeView.as_view(), name="privacy"),
    path("favicon.ico", views.favicon),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("doctors.urls")),
    path("", include("articles.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("", include("privacy.urls")),
    path("staff/reports/", include("reports.urls")),
    path("staff/", include("appointments.staff_urls")),
    path("", include("waitlist.urls")),
    path("", include("appointments.urls")),
    path("", include("notifications.urls")),
]

# Production error pages: a database that is down or hung gives a short 503 page, not a 500.
handler500 = "clinic.views.server_error"
# Staff URLs get their own styled 403 and 404 (the staff frame, what to do next); elsewhere Django's.
handler403 = "clinic.views.permission_denied"
handler404 = "clinic.views.page_not_found"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
