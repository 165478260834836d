"""Verified feedback: one answer per completed visit, and the figures it earns the doctor."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from appointments.links import manage_token
from appointments.models import AppointmentStatus
from doctors.models import Doctor, patients_floor
from notifications.links import feedback_url
from notifications.models import Feedback
from notifications.services import FeedbackRefused, feedback_submit
from tests.factories import AppointmentFactory, DoctorFactory, LocationFactory, SpecialtyFactory
from tests.notifications.conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def visit(doctor=None, status=AppointmentStatus.COMPLETED, days_ago=1, **kwargs):
    start = NOW - timedelta(days=days_ago)
    return AppointmentFactory(
        doctor=doctor or DoctorFactory(),
        starts_at=start,
        ends_at=start + timedelta(minutes=20),
        status=status,
        **kwargs,
    )


def answers(doctor, yes, no):
    for number in range(yes + no):
        feedback_submit(appointment=visit(doctor, days_ago=1 + number), would_recommend=number < yes)
    doctor.refresh_from_db()
    return doctor


# The service -----------------------------------------------------------------------------------


def test_an_answer_to_a_completed_visit_is_stored_and_counted():
    appointment = visit()
    feedback_submit(appointment=appointment, would_recommend=True, comment="  Kind and clear.  ")
    feedback = Feedback.objects.get()
    assert (feedback.would_recommend, feedback.comment, feedback.comment_approved) == (
        True,
        "Kind and clear.",
        False,
    )
    appointment.doctor.refresh_from_db()
    assert (appointment.doctor.recommend_yes, appointment.doctor.recommend_answers) == (1, 1)
    assert appointment.doctor.completed_visits == 1


@pytest.mark.parametrize(
    ("status", "days_ago", "code"),
    [
        (AppointmentStatus.CANCELLED, 1, "cancelled"),
        (AppointmentStatus.NO_SHOW, 1, "no_show"),
        (AppointmentStatus.BOOKED, -1, "not_completed"),
        (AppointmentStatus.CHECKED_IN, 0, "not_completed"),
        (AppointmentStatus.COMPLETED, 90, "expired"),
    ],
)
def test_answers_are_refused_for_visits_that_did_not_happen_or_are_too_old(status, days_ago, code):
    with pytest.raises(FeedbackRefused) as refused:
        feedback_submit(appointment=visit(status=status, days_ago=days_ago), would_recommend=True)
    assert refused.value.code == code
    assert not Feedback.objects.exists()


def test_a_second_answer_for_one_visit_is_refused():
    appointment = visit()
    feedback_submit(appointment=appointment, would_recommend=True)
    with pytest.raises(FeedbackRefused) as refused:
        feedback_submit(appointment=appointment, would_recommend=False)
    assert refused.value.code == "answered"
    assert list(Feedback.objects.values_list("would_recommend", flat=True)) == [True]


def test_the_database_holds_one_answer_per_visit():
    appointment = visit()
    Feedback.objects.create(appointment=appointment, would_recommend=True)
    with pytest.raises(IntegrityError):
        Feedback.objects.create(appointment=appointment, would_recommend=False)


# The figures -----------------------------------------------------------------------------------


def test_figures_stay_hidden_below_ten_answers():
    doctor = answers(DoctorFactory(), yes=9, no=0)
    assert doctor.recommendation is None


def test_figures_are_the_share_of_yes_with_the_sample_size():
    doctor = answers(DoctorFactory(), yes=11, no=1)
    figures = doctor.recommendation
    assert (figures.percent, figures.answers, figures.patients_floor) == (92, 12, 10)


def test_the_imported_baseline_adds_to_the_verified_answers():
    doctor = answers(DoctorFactory(), yes=5, no=0)
    Doctor.objects.filter(pk=doctor.pk).update(baseline_yes=81, baseline_answers=113, baseline_patients=400)
    doctor.refresh_from_db()
    figures = doctor.recommendation
    assert (figures.percent, figures.answers, figures.patients_floor) == (73, 118, 400)  # 86 of 118


def test_only_completed_visits_count_towards_the_figures():
    doctor = DoctorFactory()
    answers(doctor, yes=10, no=0)
    visit(doctor, status=AppointmentStatus.NO_SHOW, days_ago=40)
    visit(doctor, status=AppointmentStatus.CANCELLED, days_ago=41)
    feedback_submit(appointment=visit(doctor, days_ago=42), would_recommend=False)
    doctor.refresh_from_db()
    assert (doctor.recommend_yes, doctor.recommend_answers, doctor.completed_visits) == (10, 11, 11)


def test_a_baseline_cannot_claim_more_yes_than_answers():
    doctor = DoctorFactory.build(
        specialty=SpecialtyFactory(), location=LocationFactory(), baseline_yes=5, baseline_answers=4
    )
    with pytest.raises(ValidationError, match="outnumber"):
        doctor.full_clean()
    with pytest.raises(IntegrityError):
        doctor.save()


@pytest.mark.parametrize(
    ("count", "floor"), [(0, 0), (9, 0), (10, 10), (47, 40), (118, 100), (999, 900), (2345, 2000)]
)
def test_patients_are_shown_as_a_round_figure(count, floor):
    assert patients_floor(count) == floor


def test_cards_show_figures_with_the_sample_size_and_hide_them_below_ten(client):
    shown = answers(DoctorFactory(name="Dr. Shown"), yes=11, no=1)
    hidden = answers(DoctorFactory(name="Dr. Hidden"), yes=9, no=0)
    response = client.get(reverse("doctors:list"))
    assertContains(response, "<strong>92%</strong> of 12 patients recommend", html=False)
    assertContains(response, "10+ patients seen")
    assert response.content.decode().count("patients recommend") == 1
    profile = client.get(hidden.get_absolute_url())
    assertNotContains(profile, "patients recommend")
    assertContains(client.get(shown.get_absolute_url()), "92%")


def test_a_page_of_cards_with_figures_costs_the_same_queries_as_one_card(client):
    location, specialty = LocationFactory(), SpecialtyFactory()
    answers(DoctorFactory(location=location, specialty=specialty), yes=10, no=2)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("doctors:list"))
    for _ in range(4):
        answers(DoctorFactory(location=location, specialty=specialty), yes=10, no=2)
    with CaptureQueriesContext(connection) as five:
        response = client.get(reverse("doctors:list"))
    assert response.content.decode().count("patients recommend") == 5
    assert len(five) == len(one)


# The private link ------------------------------------------------------------------------------


def test_the_link_asks_the_question_and_takes_one_answer(client):
    appointment = visit(DoctorFactory(name="Dr. Kiran Rao"))
    url = feedback_url(appointment)
    assertContains(client.get(url), "Would you recommend Dr. Kiran Rao?")
    response = client.post(url, {"would_recommend": "no", "comment": "Too rushed."})
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.would_recommend, feedback.comment) == (False, "Too rushed.")
    assertContains(client.get(url), "Your answer about Dr. Kiran Rao is recorded")
    second = client.post(url, {"would_recommend": "yes"})
    assert second.status_code == 409
    assert Feedback.objects.get().would_recommend is False


def test_an_answer_must_be_chosen(client):
    response = client.post(feedback_url(visit()), {"comment": "No choice made."})
    assert response.status_code == 400
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    ("status", "days_ago", "code"),
    [
        (AppointmentStatus.CANCELLED, 1, 403),
        (AppointmentStatus.NO_SHOW, 1, 403),
        (AppointmentStatus.BOOKED, -1, 403),
        (AppointmentStatus.COMPLETED, 90, 410),
    ],
)
def test_the_link_is_refused_for_visits_that_cannot_be_answered(client, status, days_ago, code):
    url = feedback_url(visit(status=status, days_ago=days_ago))
    assert client.get(url).status_code == code
    assert client.post(url, {"would_recommend": "yes"}).status_code == code
    assert not Feedback.objects.exists()


def test_forged_links_and_manage_tokens_do_not_open_the_feedback_page(client):
    appointment = visit()
    url = feedback_url(appointment)
    assert client.get(url[:-3] + "xx/").status_code == 404
    assert (
        client.get(reverse("notifications:feedback", kwargs={"token": manage_token(appointment)})).status_code
        == 404
    )
