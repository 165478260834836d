"""My appointments (issue 15 item 4): ask for the list by email, then open it through the emailed link.

The request is POST-then-render (no address in a URL), rate-limited per client address, and answers
with the same page whether or not the address has visits. Both pages are patient-data URLs (no-store).
"""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from appointments.forms import MyAppointmentsForm
from appointments.links import manage_url
from appointments.my_appointments import (
    ListLinkExpired,
    message_from_token,
    split_visits,
    visit_list_request,
    visits_for_email,
)
from appointments.ratelimit import limit_posts


@limit_posts("my-appointments")
def my_appointments(request):
    """An email address in; the list's link goes to that address if it has visits. Same answer either way."""
    form = MyAppointmentsForm(request.POST or None)
    if request.method != "POST":
        return render(request, "appointments/my_appointments.html", {"form": form})
    if not form.is_valid():
        return render(request, "appointments/my_appointments.html", {"form": form}, status=400)
    visit_list_request(email=form.cleaned_data["email"])
    return render(request, "appointments/my_appointments.html", {"form": MyAppointmentsForm(), "sent": True})


@require_GET
def my_appointments_list(request, token):
    """Every visit booked with the link's address (coming up, then earlier and cancelled), each with its
    manage link; 410 once the link is older than MY_APPOINTMENTS_LINK_MINUTES."""
    try:
        message = message_from_token(token)
    except ListLinkExpired:
        return render(request, "appointments/my_appointments_expired.html", status=410)
    now = timezone.now()
    coming, others = split_visits(list(visits_for_email(message.recipient, now)), now)
    return render(
        request,
        "appointments/my_appointments_list.html",
        {
            "coming": [(visit, manage_url(visit)) for visit in coming],
            "others": [(visit, manage_url(visit)) for visit in others],
        },
    )
