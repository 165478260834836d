"""Root URLconf: each app brings its own URLs; the admin lives at a configurable path."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from clinic import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("privacy/", TemplateView.as_view(template_name="privacy.html"), name="privacy"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("doctors.urls")),
    path("", include("appointments.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
