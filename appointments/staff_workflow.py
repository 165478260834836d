"""Staff writes of the forgiving workflow (appointments.workflow): undo a no-show or a completion, and
send a booking's link again. POST only; each calls one service and redirects back (or, for htmx on the
day schedule, swaps the appointment's card in place)."""

from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.access import CHANGE, staff_required
from appointments.staff_views import _appointment_or_404, _safe_next, appointment_page, decorate
from appointments.workflow import (
    UNDO_REASON_MAX,
    ResendRefused,
    UndoRefused,
    appointment_link_resend,
    appointment_status_undo,
)


@staff_required(CHANGE)
def appointment_undo(request, reference):
    """POST `reason` and `from_status` (the status the undo was shown for): back to the previous status,
    the same day only. A refusal shows the page (or, with htmx, the day card) again with the message
    beside the reason field and the reason as typed; nothing is written (issue 12 finding 2)."""
    appointment = _appointment_or_404(request.user, reference)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    reason = request.POST.get("reason", "")[: UNDO_REASON_MAX * 2]
    error = None
    try:
        appointment = appointment_status_undo(
            appointment=appointment,
            by=request.user,
            reason=reason,
            expected_status=request.POST.get("from_status", ""),
        )
    except UndoRefused as refused:
        error = refused.messages[0]
    if request.htmx:
        fresh = decorate(_appointment_or_404(request.user, reference), request.user, timezone.now())
        if error and fresh.undo_open:  # shown beside the field, with the reason kept
            fresh.undo_error, fresh.undo_reason, error = error, reason, None
        context = {
            "appointment": fresh,
            "error": error,
            "next_url": _safe_next(request, "", reference),
            "can_book": False,
        }
        return render(request, "appointments/staff_day.html#appointment-card", context)
    if error:
        return appointment_page(request, reference, undo_error=error, undo_reason=reason, status=409)
    messages.success(
        request,
        _("Undone: %(reference)s is %(status)s again.")
        % {"reference": appointment.reference, "status": appointment.get_status_display().lower()},
    )
    return redirect(_safe_next(request, reverse("staff:appointment", args=[reference]), reference))


@staff_required(CHANGE)
def appointment_resend(request, reference):
    """POST: email the booking's private link again through the message ledger."""
    appointment = _appointment_or_404(request.user, reference)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        appointment_link_resend(appointment=appointment, by=request.user)
    except ResendRefused as refused:
        messages.error(request, refused.messages[0])
    else:
        messages.success(
            request,
            _("The booking link is on its way to %(email)s. It shows below under Emails.")
            % {"email": appointment.patient_email},
        )
    return redirect("staff:appointment", reference=reference)
