"""The staff page of messages that need attention (/staff/messages/): failed or overdue emails with a
retry button each (issue 11 item 6). Front desk only (`appointments.change_appointment`, as for the
other staff writes); rows are scoped to the appointments the user may see, and filtered by location."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from appointments.access import CHANGE, staff_required, visible_appointments
from clinic.redirects import safe_next
from doctors.models import Location
from notifications.desk import RetryRefused, message_retry_now, needing_attention, plain_error, retry_outcome
from notifications.models import Message

PAGE_SIZE = 50


class LocationFilter(forms.Form):
    location = forms.ModelChoiceField(
        Location.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        label=gettext_lazy("Location"),
        empty_label=gettext_lazy("All locations"),
    )


def attention_messages(user, location=None, now=None):
    """The messages needing attention that `user` may see (their visible appointments), optionally at
    one `location`, oldest due first, with the appointment, its doctor and location joined."""
    rows = Message.objects.filter(appointment__in=visible_appointments(user).values("pk"))
    if location is not None:
        rows = rows.filter(appointment__location=location)
    return (
        needing_attention(rows, now or timezone.now())
        .select_related("appointment__doctor", "appointment__location")
        .order_by("due_at", "pk")
    )


def attention_count(user, location=None) -> int:
    """How many messages need attention (for the day schedule's link); 0 without CHANGE. One query."""
    if not user.has_perm(CHANGE):
        return 0
    return attention_messages(user, location).count()


@staff_required(CHANGE)
def attention_list(request):
    """GET: the failed and overdue messages, a location filter, one retry button per row."""
    form = LocationFilter(request.GET or None)
    location = form.cleaned_data["location"] if form.is_valid() else None
    rows = attention_messages(request.user, location)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row.plain_error = plain_error(row.last_error)
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {"form": form, "page_obj": page, "location": location, "next_url": request.get_full_path()}
    return render(request, "notifications/staff_messages.html", context, status=status)


@staff_required(CHANGE)
def message_retry_view(request, pk):
    """POST: send one failed or overdue message again through the ledger, then back to the list."""
    message = get_object_or_404(
        Message.objects.filter(appointment__in=visible_appointments(request.user).values("pk")), pk=pk
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        message_retry_now(message=message)  # committed here: an immediate task backend has sent it
    except RetryRefused as refused:
        messages.error(request, str(refused))
    else:
        level, text = retry_outcome(message)
        getattr(messages, level)(request, text)
    return redirect(safe_next(request, reverse("staff:messages")))
