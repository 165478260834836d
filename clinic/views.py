"""Site-wide pages: home and the load balancer's health check."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from appointments import availability
from doctors.models import Doctor


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        doctors = availability.next_free_slots(
            Doctor.objects.active().for_cards().sorted_by("experience")[:6]
        )
        return super().get_context_data(featured_doctors=doctors, **kwargs)


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
