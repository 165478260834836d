"""Getting a lost manage link back: "Send me my booking link" and Find my booking (SPEC 3.3).

Both answer with the same page and status whether or not anything matched, and send the link only to
the email address on the booking, never to the requester's screen: seeing or changing a booking needs
the private link (proof of possession). Both are POST-then-render, so a mobile number never lands in a
URL, and rate-limited per client address.
"""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from appointments.forms import FindBookingForm, SendLinkForm
from appointments.ratelimit import limit_posts
from appointments.services import manage_link_find, manage_link_resend
from doctors.models import Doctor


@require_POST
@limit_posts("send-link")
def send_link(request, slug):
    """The already-booked answer's button: email the existing booking's link to the address on file."""
    doctor = get_object_or_404(Doctor.objects.active().select_related("location"), slug=slug)
    form = SendLinkForm(request.POST)
    if not form.is_valid():
        return render(request, "appointments/link_sent.html", {"doctor": doctor, "invalid": True}, status=400)
    manage_link_resend(doctor=doctor, patient_phone=form.cleaned_data["patient_phone"])
    return render(request, "appointments/link_sent.html", {"doctor": doctor})


@limit_posts("find-booking")
def find_booking(request):
    """Reference + mobile number: the manage link goes to the email on file; the same answer either way."""
    form = FindBookingForm(request.POST or None)
    if request.method != "POST":
        return render(request, "appointments/find_booking.html", {"form": form})
    if not form.is_valid():
        return render(request, "appointments/find_booking.html", {"form": form}, status=400)
    manage_link_find(
        reference=form.cleaned_data["reference"], patient_phone=form.cleaned_data["patient_phone"]
    )
    return render(request, "appointments/find_booking.html", {"form": FindBookingForm(), "sent": True})
