"""The private feedback page: one question per completed visit, answered once."""

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from appointments.ratelimit import limit_posts
from notifications.forms import FeedbackForm
from notifications.links import appointment_from_feedback_token
from notifications.services import FeedbackRefused, feedback_refusal, feedback_submit

# Genuine link, but no answer possible: not a visit that happened (403), the time to answer is
# over (410), or the visit has its answer already (a second POST is a 409; a GET says thank you).
REFUSAL_STATUS = {"cancelled": 403, "no_show": 403, "not_completed": 403, "expired": 410, "answered": 409}
REFUSAL_TEXT = {
    "cancelled": _("This visit was cancelled, so there is nothing to rate."),
    "no_show": _("Our records show this visit did not take place, so there is nothing to rate."),
    "not_completed": _("You can answer once your visit has taken place."),
    "expired": _("The time to answer for this visit is over."),
    "answered": _("This visit already has its answer. Thank you."),
}


def _refused(request, appointment, code):
    status = REFUSAL_STATUS[code]
    if code == "answered" and request.method == "GET":
        return render(request, "notifications/feedback_thanks.html", {"appointment": appointment})
    context = {"appointment": appointment, "reason": REFUSAL_TEXT[code]}
    return render(request, "notifications/feedback_refused.html", context, status=status)


@limit_posts("feedback")
def feedback_view(request, token):
    appointment = appointment_from_feedback_token(token)
    refusal = feedback_refusal(appointment)
    if refusal:
        return _refused(request, appointment, refusal)
    form = FeedbackForm(request.POST or None, doctor=appointment.doctor)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                feedback_submit(appointment=appointment, **form.cleaned_data)
            except FeedbackRefused as error:
                return _refused(request, appointment, error.code)
            return redirect("notifications:feedback", token=token)
        status = 400
    context = {"appointment": appointment, "doctor": appointment.doctor, "form": form}
    return render(request, "notifications/feedback_form.html", context, status=status)
