"""Policies a patient can live with (issue 10 item 4): minimum notice, cut-off, grace period, in words.

The issue's input: online booking needs 2 h notice and changes close 4 h before; at 15:29 a patient
books 17:40 and the confirmation already said "call us", with the phone line closed. A fresh booking
now keeps its online cancel (and reschedule, decision 2026-11-29) for 30 minutes, until the start at
the latest; a system check warns when the settings contradict each other.
"""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from appointments.checks import booking_policy_check
from appointments.links import manage_token, manage_url
from appointments.models import AppointmentStatus
from appointments.policy import VisitState, change_window, describe_duration
from appointments.services import PastCutoff, appointment_book, appointment_cancel, appointment_reschedule
from tests.factories import AppointmentFactory, DoctorFactory, UserFactory, week_hours
from tests.text import visible_text

pytestmark = pytest.mark.django_db

# Monday 23 November 2026 in Bengaluru (IST = UTC+5:30).
BOOKED = datetime(2026, 11, 23, 9, 59, tzinfo=UTC)  # 15:29 IST
EVENING = datetime(2026, 11, 23, 12, 10, tzinfo=UTC)  # 17:40 IST
POLICY = (
    "Online booking needs at least 2 hours' notice. You can cancel or reschedule online until 4 hours before "
    "the appointment. If you book later than that, you can still cancel or reschedule online for 30 minutes "
    "after booking. After that, please call us on +91 80 4000 1234."
)


@pytest.fixture
def doctor():
    doctor = DoctorFactory(name="Dr. Meera Kulkarni")
    week_hours(doctor, intervals=[(time(9, 0), time(20, 0))])
    return doctor


@pytest.fixture
def late_booking(doctor):
    """The issue's patient: booked at 15:29 for 17:40 the same day, inside the 4-hour cut-off."""
    with time_machine.travel(BOOKED, tick=False):
        return appointment_book(
            doctor=doctor,
            starts_at=EVENING,
            patient_name="Asha Rao",
            patient_phone="+919812345678",
            patient_email="asha@example.com",
        )


@pytest.mark.parametrize(
    ("minutes_after_booking", "state"),
    [(0, VisitState.GRACE), (29, VisitState.GRACE), (30, VisitState.CLOSED), (131, VisitState.PAST)],
)
def test_a_booking_inside_the_cut_off_is_changeable_for_the_grace_period(
    late_booking, minutes_after_booking, state
):
    window = change_window(late_booking, BOOKED + timedelta(minutes=minutes_after_booking))
    assert window.state == state
    assert window.can_change == (state == VisitState.GRACE)


def test_the_grace_period_ends_at_the_start_at_the_latest(doctor):
    walk_in = AppointmentFactory(doctor=doctor, starts_at=BOOKED + timedelta(minutes=10), booked_at=BOOKED)
    assert change_window(walk_in, BOOKED + timedelta(minutes=9)).state == VisitState.GRACE
    assert change_window(walk_in, BOOKED + timedelta(minutes=10)).state == VisitState.PAST


def test_a_booking_made_well_ahead_closes_at_the_cut_off(doctor):
    ahead = AppointmentFactory(doctor=doctor, starts_at=EVENING, booked_at=EVENING - timedelta(days=3))
    assert change_window(ahead, EVENING - timedelta(hours=4)).state == VisitState.UPCOMING
    assert (
        change_window(ahead, EVENING - timedelta(hours=4) + timedelta(seconds=1)).state == VisitState.CLOSED
    )


@pytest.mark.parametrize(
    ("status", "state"),
    [
        (AppointmentStatus.CANCELLED, VisitState.CANCELLED),
        (AppointmentStatus.COMPLETED, VisitState.COMPLETED),
        (AppointmentStatus.NO_SHOW, VisitState.NO_SHOW),
    ],
)
def test_a_visit_that_is_over_is_never_changeable(doctor, status, state):
    visit = AppointmentFactory(doctor=doctor, starts_at=EVENING, status=status)
    window = change_window(visit, EVENING - timedelta(days=2))
    assert (window.state, window.can_change) == (state, False)


def test_the_issue_patient_can_cancel_online_within_the_grace_period(client, late_booking):
    with time_machine.travel(BOOKED + timedelta(minutes=20), tick=False):
        url = reverse("appointments:cancel", kwargs={"token": manage_token(late_booking)})
        manage = client.get(manage_url(late_booking))
        assertContains(manage, url)
        assertContains(manage, "this one until Mon 23 Nov, 15:59 IST")
        assertRedirects(client.post(url, {"reason": "Wrong day"}), manage_url(late_booking))
    late_booking.refresh_from_db()
    assert late_booking.status == AppointmentStatus.CANCELLED


def test_the_issue_patient_can_reschedule_online_within_the_grace_period(client, late_booking):
    token = manage_token(late_booking)
    with time_machine.travel(BOOKED + timedelta(minutes=20), tick=False):
        response = client.post(
            reverse("appointments:reschedule", kwargs={"token": token}),
            {"start": "2026-11-24T12:10:00Z", "confirm": "on"},
        )
    assertRedirects(
        response, reverse("appointments:manage", kwargs={"token": token}), fetch_redirect_response=False
    )
    late_booking.refresh_from_db()
    assert late_booking.starts_at == datetime(2026, 11, 24, 12, 10, tzinfo=UTC)


def test_after_the_grace_period_online_changes_are_refused_with_the_policy(client, late_booking):
    token = manage_token(late_booking)
    with time_machine.travel(BOOKED + timedelta(minutes=31), tick=False):
        manage = client.get(manage_url(late_booking))
        assertNotContains(manage, '/cancel/"')
        assertNotContains(manage, '/reschedule/"')
        assertContains(manage, "Online changes for this appointment closed at Mon 23 Nov, 15:59 IST")
        cancel = client.post(reverse("appointments:cancel", kwargs={"token": token}), {"reason": ""})
        assertContains(cancel, "Online changes close 4 hours before the appointment", status_code=403)
        with pytest.raises(PastCutoff):
            appointment_cancel(appointment=late_booking)
    late_booking.refresh_from_db()
    assert late_booking.status == AppointmentStatus.BOOKED


def test_the_policy_is_shown_in_words_before_booking_and_on_every_manage_page(client, doctor, late_booking):
    details = reverse("appointments:details", kwargs={"slug": doctor.slug}) + "?start=2026-11-24T12:10:00Z"
    token = manage_token(late_booking)
    pages = [details] + [
        reverse(f"appointments:{name}", kwargs={"token": token})
        for name in ["manage", "cancel", "reschedule"]
    ]
    with time_machine.travel(BOOKED + timedelta(minutes=5), tick=False):
        for url in pages:
            assert POLICY in visible_text(client.get(url, follow=True).content), url  # the form holds first


def test_the_confirmation_email_says_the_policy_and_until_when_changes_are_open(
    doctor, django_capture_on_commit_callbacks
):
    with time_machine.travel(BOOKED, tick=False), django_capture_on_commit_callbacks(execute=True):
        appointment_book(
            doctor=doctor,
            starts_at=EVENING,
            patient_name="Asha Rao",
            patient_phone="+919812345678",
            patient_email="asha@example.com",
        )
    [email] = mail.outbox
    for part in [email.body, visible_text(email.alternatives[0].content)]:
        assert POLICY in " ".join(part.split())
        assert "this one until Mon 23 Nov, 15:59 IST" in " ".join(part.split())


@override_settings(BOOKING_GRACE_PERIOD=timedelta(0))
def test_without_a_grace_period_the_policy_does_not_promise_one(client, doctor):
    url = reverse("appointments:details", kwargs={"slug": doctor.slug}) + "?start=2026-11-24T12:10:00Z"
    with time_machine.travel(BOOKED, tick=False):
        text = visible_text(client.get(url, follow=True).content)
    assert "until 4 hours before the appointment. After that, please call us" in text
    assert "after booking" not in text


@pytest.mark.parametrize(
    ("duration", "words"),
    [
        (timedelta(hours=4), "4 hours"),
        (timedelta(minutes=30), "30 minutes"),
        (timedelta(minutes=90), "1 hour 30 minutes"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(0), "0 minutes"),
    ],
)
def test_durations_are_said_in_words(duration, words):
    assert describe_duration(duration) == words


# --- system check ------------------------------------------------------------------------------


def check_ids(**policy):
    with override_settings(**policy):
        return [message.id for message in booking_policy_check()]


def test_the_default_policy_passes_the_check():
    assert check_ids() == []


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        # min notice 2 h, cut-off 4 h, no grace: bookings made between can never be cancelled online
        ({"BOOKING_GRACE_PERIOD": timedelta(0)}, ["appointments.W001"]),
        ({"BOOKING_GRACE_PERIOD": timedelta(hours=4)}, ["appointments.W002"]),
        ({"BOOKING_GRACE_PERIOD": timedelta(hours=5)}, ["appointments.W002"]),
        ({"BOOKING_MIN_NOTICE": timedelta(hours=4), "BOOKING_GRACE_PERIOD": timedelta(0)}, []),
        ({"BOOKING_CUTOFF": timedelta(hours=-1)}, ["appointments.E001"]),
        ({"BOOKING_MAX_PER_MOBILE": 0}, ["appointments.E002"]),
    ],
)
def test_the_check_warns_when_the_policy_settings_contradict_each_other(policy, expected):
    assert check_ids(**policy) == expected


def test_manage_py_check_reports_the_policy_warning():
    with (
        override_settings(BOOKING_GRACE_PERIOD=timedelta(hours=6)),
        pytest.raises(SystemCheckError, match="W002"),
    ):
        call_command("check", "--fail-level", "WARNING")


def test_a_staff_change_inside_the_grace_period_is_not_an_override(late_booking):
    with time_machine.travel(BOOKED + timedelta(minutes=10), tick=False):
        appointment_reschedule(
            appointment=late_booking,
            starts_at=datetime(2026, 11, 24, 12, 10, tzinfo=UTC),
            by=UserFactory(),
            override=True,
        )
    move = late_booking.status_changes.exclude(from_status="").get()
    assert move.override is False
