"""My appointments (issue 15 item 4): an email address in, a short-lived signed link to the list of
every upcoming and recent visit booked with it out, sent to that address through the message ledger.

The request page answers the same whether or not the address is known, is rate-limited, and the list
shows only that address's visits, each with its manage link, until the link expires.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from appointments.links import manage_token, manage_url
from appointments.models import Appointment, AppointmentStatus
from appointments.my_appointments import visit_list_request
from notifications.models import Message, MessageKind, MessageState
from privacy.services import retention_sweep
from tests.factories import AppointmentFactory, DoctorFactory

# Real commits: the list email is planned in the ledger and sent by the (immediate) task backend on commit.
pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # Monday 08:00 IST
ASK = reverse("appointments:my-appointments")


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def doctor():
    return DoctorFactory(name="Dr. Meera Kulkarni")


@pytest.fixture
def family(doctor):
    """Ravi's visits, booked with his email: his own, his mother's, one last week, one cancelled."""
    other_doctor = DoctorFactory(name="Dr. Arjun Shetty")
    return {
        "own": AppointmentFactory(
            doctor=doctor,
            patient_name="Ravi Rao",
            patient_email="Ravi@Example.com",
            starts_at=NOW + timedelta(days=2),
        ),
        "mother": AppointmentFactory(
            doctor=other_doctor,
            patient_name="Asha Rao",
            booker_name="Ravi Rao",
            booker_relationship="parent",
            patient_email="ravi@example.com",
            starts_at=NOW + timedelta(days=1),
        ),
        "last_week": AppointmentFactory(
            doctor=doctor,
            patient_name="Ravi Rao",
            patient_email="ravi@example.com",
            starts_at=NOW - timedelta(days=7),
            status=AppointmentStatus.COMPLETED,
        ),
        "cancelled": AppointmentFactory(
            doctor=doctor,
            patient_name="Ravi Rao",
            patient_email="ravi@example.com",
            starts_at=NOW + timedelta(days=3),
            status=AppointmentStatus.CANCELLED,
        ),
    }


@pytest.fixture
def strangers(doctor):
    """Visits the list must never show: another address, and Ravi's from long ago (link expired)."""
    return {
        "other": AppointmentFactory(
            doctor=doctor,
            patient_name="Meena Iyer",
            patient_email="meena@example.com",
            starts_at=NOW + timedelta(days=4),
        ),
        "no_email": AppointmentFactory(
            doctor=doctor, patient_name="Ravi Rao", patient_email="", starts_at=NOW + timedelta(days=5)
        ),
        "long_ago": AppointmentFactory(
            doctor=doctor,
            patient_name="Ravi Rao",
            patient_email="ravi@example.com",
            starts_at=NOW - timedelta(days=45),
            status=AppointmentStatus.COMPLETED,
        ),
    }


def ask(client, email):
    return client.post(ASK, {"email": email})


def list_emails():
    return [email for email in mail.outbox if email.subject.startswith("Your appointments at")]


def list_path(email) -> str:
    return re.search(r"http://[^/\s]+(/my-appointments/[^/\s]+/)", email.body).group(1)


def words(response) -> str:
    """The page without its per-request parts (CSRF token, CSP nonce), to compare two answers."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return re.sub(r'nonce="[^"]*"', "", text)


def test_the_page_asks_for_an_email_is_linked_from_the_site_and_is_not_stored(client, family):
    page = client.get(ASK)
    assertContains(page, "My appointments")
    assertContains(page, "Email address")
    assert "no-store" in page["Cache-Control"]
    for linking in ["/", reverse("appointments:find-booking"), manage_url(family["own"])]:
        assertContains(client.get(linking), f'href="{ASK}"')


def test_the_link_lists_every_visit_of_that_email_and_no_one_elses(client, family, strangers):
    response = ask(client, "  RAVI@example.COM ")
    assert response.status_code == 200
    assertContains(response, "we have just sent it a link")
    [email] = list_emails()
    assert email.to == ["ravi@example.com"]  # as on file (on the latest-made visit), not as typed
    assert "works for 30 minutes" in email.body
    for visit in family.values():  # nothing of any visit in the email itself
        assert visit.reference not in email.body
        assert manage_token(visit) not in email.body

    page = client.get(list_path(email))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    for visit in family.values():
        assertContains(page, visit.reference)
        assertContains(page, manage_url(visit))
    assertContains(page, "Patient: Asha Rao, your parent")
    for visit in strangers.values():
        assertNotContains(page, visit.reference)
        assertNotContains(page, manage_url(visit))
    assertNotContains(page, "Meena")
    # Coming up (soonest first), then earlier and cancelled (latest first).
    order = [page.text.index(family[key].reference) for key in ["mother", "own", "cancelled", "last_week"]]
    assert order == sorted(order)
    assert page.text.index("Coming up") < order[0] < page.text.index("Earlier and cancelled") < order[2]


def test_the_answer_is_the_same_whether_or_not_the_email_is_known(client, family, strangers):
    known = ask(client, "ravi@example.com")
    unknown = ask(client, "nobody@example.com")
    without_visits = ask(client, "meena.old@example.com")
    assert known.status_code == unknown.status_code == without_visits.status_code == 200
    assert words(known) == words(unknown) == words(without_visits)
    assert len(list_emails()) == 1
    assert Message.objects.filter(kind=MessageKind.VISIT_LIST).count() == 1


def test_an_address_whose_visits_are_all_long_past_gets_nothing(client, strangers):
    Message.objects.all().delete()
    assert ask(client, "ravi@example.com").status_code == 200  # only the visit 45 days ago
    assert list_emails() == []
    assert not Message.objects.filter(kind=MessageKind.VISIT_LIST).exists()


def test_the_link_expires(client, family):
    ask(client, "ravi@example.com")
    path = list_path(list_emails()[0])
    with time_machine.travel(NOW + timedelta(minutes=29), tick=False):
        assert client.get(path).status_code == 200
    with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
        expired = client.get(path)
    assert expired.status_code == 410
    assertContains(expired, "This link has expired", status_code=410)
    assertContains(expired, f'href="{ASK}"', status_code=410)
    assertNotContains(expired, family["own"].reference, status_code=410)


@override_settings(MY_APPOINTMENTS_LINK_MINUTES=5)
def test_the_link_lifetime_is_a_setting(client, family):
    ask(client, "ravi@example.com")
    path = list_path(list_emails()[0])
    assert "works for 5 minutes" in list_emails()[0].body
    with time_machine.travel(NOW + timedelta(minutes=6), tick=False):
        assert client.get(path).status_code == 410


def test_forged_tampered_or_borrowed_tokens_open_nothing(client, family):
    ask(client, "ravi@example.com")
    path = list_path(list_emails()[0])
    token = path.split("/")[-2]
    for bad in [
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "nonsense",
        manage_token(family["own"]),
    ]:
        assert client.get(reverse("appointments:my-appointments-list", args=[bad])).status_code == 404


def test_an_anonymised_visit_takes_its_list_link_with_it(client, family):
    ask(client, "ravi@example.com")
    path = list_path(list_emails()[0])
    with time_machine.travel(NOW + timedelta(days=4000), tick=False):
        retention_sweep()
    assert client.get(path).status_code == 404


def test_asking_again_and_again_sends_one_email_per_interval(client, family):
    for _ in range(3):
        assert ask(client, "ravi@example.com").status_code == 200
    assert len(list_emails()) == 1
    with time_machine.travel(NOW + timedelta(minutes=11), tick=False):
        ask(client, "ravi@example.com")
    assert len(list_emails()) == 2
    assert Message.objects.filter(kind=MessageKind.VISIT_LIST, state=MessageState.SENT).count() == 2


@override_settings(BOOKING_RATE_LIMIT=2)
def test_asking_is_rate_limited(client, family):
    assert ask(client, "one@example.com").status_code == 200
    assert ask(client, "two@example.com").status_code == 200
    refused = ask(client, "ravi@example.com")
    assert refused.status_code == 429
    assert list_emails() == []


@pytest.mark.parametrize("typed", ["", "not an email", "ravi@"])
def test_what_is_not_an_email_address_is_refused_next_to_the_field_and_kept(client, family, typed):
    response = ask(client, typed)
    assert response.status_code == 400
    assertContains(response, 'id="error_1_id_email"', status_code=400)
    if typed:
        assertContains(response, f'value="{typed}"', status_code=400)
    assert not Message.objects.filter(kind=MessageKind.VISIT_LIST).exists()


def test_the_list_email_is_not_sent_when_the_address_changed_before_sending(family):
    with transaction.atomic():  # the email is sent on commit; the address changes first
        assert visit_list_request(email="ravi@example.com") == 1
        Appointment.objects.filter(patient_email__iexact="ravi@example.com").update(
            patient_email="someone.else@example.com"
        )
    message = Message.objects.get(kind=MessageKind.VISIT_LIST)
    assert (message.state, message.last_error) == (MessageState.CANCELLED, "The email address has changed")
    assert list_emails() == []


def test_the_list_page_costs_the_same_queries_with_one_visit_or_many(
    client, doctor, django_assert_num_queries
):
    def path_for(email):
        mail.outbox.clear()
        ask(client, email)
        return list_path(list_emails()[0])

    AppointmentFactory(doctor=doctor, patient_email="one@example.com", starts_at=NOW + timedelta(days=1))
    for days in range(1, 9):
        AppointmentFactory(
            doctor=DoctorFactory(), patient_email="many@example.com", starts_at=NOW + timedelta(days=days)
        )
    one, many = path_for("one@example.com"), path_for("many@example.com")
    with django_assert_num_queries(2) as one_visit:
        assert client.get(one).status_code == 200
    with django_assert_num_queries(len(one_visit.captured_queries)):
        assert client.get(many).status_code == 200
