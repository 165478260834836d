"""Every main public and staff page is valid HTML, as the W3C Nu validator (vnu.jar) reads it.

The pages are rendered through the test client into files and checked in one run of the validator
(a JVM: started once for the whole batch, not per page). `make test` installs vnu.jar from npm into
tools/vnu/ (`VNU_JAR` points elsewhere); it runs on the machine's Java 17. Without Java or the jar
the test is skipped, unless `CI` is set: then it fails, like the browser tests.
"""

import json
import os
import shutil
import subprocess
import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from appointments import availability
from appointments.links import manage_url
from appointments.models import AppointmentStatus, SlotHold
from appointments.my_appointments import visit_list_token
from notifications.links import feedback_url
from notifications.models import Message, MessageKind, MessageState
from tests.factories import (
    AppointmentFactory,
    ArticleFactory,
    CategoryFactory,
    DoctorFactory,
    FAQFactory,
    LocationFactory,
    UserFactory,
    week_hours,
)
from waitlist.services import entry_join, offer_url

pytestmark = pytest.mark.django_db

VNU_JAR = Path(
    os.environ.get("VNU_JAR", settings.BASE_DIR / "tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar")
)
# Monday 23 November 2026, 08:00:30.123456 in Kolkata: a clock with microseconds, as in production.
NOW = datetime(2026, 11, 23, 2, 30, 30, 123456, tzinfo=UTC)
PASSWORD = "correct horse battery staple"
# A planted page with known faults, checked in the same run: the check cannot pass by validating nothing.
PLANTED = (
    '<!doctype html><html lang="en"><head><title>Planted</title></head><body><main>'
    '<p><time datetime="2026-11-04T15:25:30.035842+05:30">4 Nov</time></p>'
    '<p><img src="/\\evil.example/i.png" alt=""></p></main></body></html>'
)


def validator_unavailable(reason: str):
    """A missing Java or vnu.jar fails the run in CI (the `CI` variable is set) and skips elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}. CI is set, so a missing validator is a failure, not a skip.", pytrace=False)
    pytest.skip(reason)


def validate(paths: list[Path]) -> dict[str, list[str]]:
    """{file name: [error, ...]} for every file, from one run of vnu.jar."""
    java = shutil.which("java")
    if java is None:
        validator_unavailable("Java is not installed (apt-get install default-jre-headless)")
    if not VNU_JAR.is_file():
        validator_unavailable(f"vnu.jar is not at {VNU_JAR} (make test installs it with npm)")
    result = subprocess.run(
        [
            java,
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    try:
        messages = json.loads(result.stderr)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu.jar did not answer in JSON (exit {result.returncode}):\n{result.stderr[-2000:]}")
    errors: dict[str, list[str]] = {path.name: [] for path in paths}
    for message in messages:
        name = Path(message.get("url", "?")).name
        errors.setdefault(name, []).append(
            f"line {message.get('lastLine', '?')}: {message['message']} [{message.get('extract', '').strip()}]"
        )
    return errors


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def site():
    """A doctor taking bookings, a booked visit, a completed one, and a published article with FAQ."""
    doctor = DoctorFactory(name="Dr. Meera Kulkarni", location=LocationFactory(name="Residency Road"))
    week_hours(doctor, intervals=[(time(9, 0), time(13, 0)), (time(14, 0), time(17, 0))])
    tomorrow = availability.local_today(doctor) + timedelta(days=1)
    slots = availability.free_slots(doctor, tomorrow, 2)
    booked = AppointmentFactory(
        doctor=doctor,
        starts_at=slots[0].start,
        ends_at=slots[0].end,
        patient_name="Priya Sharma",
        patient_email="ravi.sharma@example.com",
        booker_name="Ravi Sharma",  # booked by her son: staff and manage pages show both
        booker_relationship="parent",
        reason="Low back pain",
    )
    seen = AppointmentFactory(
        doctor=doctor,
        starts_at=NOW - timedelta(days=2),
        ends_at=NOW - timedelta(days=2) + timedelta(minutes=20),
        status=AppointmentStatus.COMPLETED,
    )
    article = ArticleFactory(
        title="Minimally invasive spine surgery",
        category=CategoryFactory(name="Musculoskeletal Disorders"),
        author=doctor,
        specialties=[doctor.specialty],
        # Editors' raw HTML too: values HTML would refuse are dropped by the sanitiser.
        body=(
            "## What it is\n\nSmall cuts.\n\n### Recovery\n\n![Model](/media/spine.png) and [a guide](/doctors/).\n\n"
            '<img src="/media/a.png" width="100px"> <a href="/\\evil.example/">x</a>\n\n'
            '<table><tr><th scope="ROW" colspan="two">Week</th></tr></table>'
        ),
    )
    FAQFactory(article=article, question="How long is the stay?", answer="Often one night.")
    no_email = AppointmentFactory(
        doctor=doctor, starts_at=slots[2].start, ends_at=slots[2].end, patient_email=""
    )
    return {
        "doctor": doctor,
        "booked": booked,
        "seen": seen,
        "article": article,
        "free": slots[1],
        "no_email": no_email,
    }


def public_pages(client: Client, site) -> dict[str, tuple[int, bytes]]:
    doctor, booked, article = site["doctor"], site["booked"], site["article"]
    manage = manage_url(booked)
    details = reverse("appointments:details", args=[doctor.slug])

    def get(url, data=None):
        response = client.get(url, data, follow=True)  # the details page first holds its time, then shows
        return response.status_code, response.content

    waitlist_errors = client.post(
        reverse("waitlist:join", args=[doctor.slug]), {"patient_name": "Asha Rao", "not_after": "soon"}
    )
    details_with_errors = client.post(
        details,
        {
            "start": site["free"].start_param,
            "booking_token": str(uuid.uuid4()),
            "patient_name": "Asha Rao",
            "for_whom": "someone_else",  # the booker's fields with their errors too
        },
    )

    def book_again(name):
        """A second booking on the booked visit's mobile: "already booked", or the cap per mobile (409)."""
        SlotHold.objects.all().delete()  # the details pages read above hold this time for their own forms
        with override_settings(BOOKING_MAX_PER_MOBILE=1):
            response = client.post(
                details,
                {
                    "start": site["free"].start_param,
                    "booking_token": str(uuid.uuid4()),
                    "for_whom": "me",
                    "patient_name": name,
                    "patient_phone": str(booked.patient_phone),
                    "visit_type": "first",
                    "consent": "on",
                },
            )
        return response.status_code, response.content

    my_appointments = reverse("appointments:my-appointments")
    my_errors = client.post(my_appointments, {"email": "not an email"})
    my_sent = client.post(my_appointments, {"email": "ravi.sharma@example.com"})
    visit_list = Message.objects.get(kind=MessageKind.VISIT_LIST)  # planned by the request just made
    my_list = reverse("appointments:my-appointments-list", args=[visit_list_token(visit_list)])
    pages = {
        "home": get("/"),
        "doctor-list": get(reverse("doctors:list"), {"q": "Meera"}),
        "doctor-list-empty": get(reverse("doctors:list"), {"q": "nobody by this name"}),
        "doctor-search-corrected": get(reverse("doctors:list"), {"q": "kulkarny residency"}),
        "locations": get(reverse("doctors:locations")),
        "book-start-by-city": get(reverse("appointments:start"), {"city": "Bengaluru"}),
        "doctor-list-bad-filters": get(reverse("doctors:list"), {"specialty": "bogus", "q": "x" * 101}),
        "profile": get(doctor.get_absolute_url()),
        "specialty": get(doctor.specialty.get_absolute_url()),
        "location": get(doctor.location.get_absolute_url()),
        "book-start": get(reverse("appointments:start")),
        "picker": get(reverse("appointments:picker", args=[doctor.slug])),
        "details": get(details, {"start": site["free"].start_param}),
        "details-with-errors": (details_with_errors.status_code, details_with_errors.content),
        "details-already-booked": book_again("Priya Sharma"),
        "details-mobile-cap": book_again("Ravi Sharma"),
        "manage": get(manage),
        "manage-without-email": get(manage_url(site["no_email"])),
        "picker-past-the-horizon": get(
            reverse("appointments:picker", args=[doctor.slug]),
            {
                "date": (
                    availability.local_today(doctor) + timedelta(days=settings.BOOKING_HORIZON_DAYS)
                ).isoformat()
            },
        ),
        "cancel": get(manage + "cancel/"),
        "reschedule": get(manage + "reschedule/"),
        "articles": get(reverse("articles:list")),
        "article": get(article.get_absolute_url()),
        "category": get(article.category.get_absolute_url()),
        "privacy": get(reverse("privacy")),
        "feedback": get(feedback_url(site["seen"])),
        "my-appointments": get(my_appointments),
        "my-appointments-with-errors": (my_errors.status_code, my_errors.content),
        "my-appointments-sent": (my_sent.status_code, my_sent.content),
        "my-appointments-list": get(my_list),
        "waitlist-join": get(reverse("waitlist:join", args=[doctor.slug])),
        "waitlist-join-with-errors": (waitlist_errors.status_code, waitlist_errors.content),
        "waitlist-join-booking": get(reverse("waitlist:join-booking", args=[manage.split("/")[2]])),
        "waitlist-offer": get(offer_url(waiting_offer(doctor))),
    }
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        pages["my-appointments-expired"] = get(my_list)
    return pages


def waiting_offer(doctor):
    """A waiter for `doctor` and the offer of the earliest free time they were made on joining."""
    entry = entry_join(
        doctor=doctor,
        patient_name="Ravi Menon",
        patient_phone="+919876543210",
        patient_email="ravi@example.com",
        not_after=availability.local_today(doctor) + timedelta(days=3),
    )
    return entry.offers.get()


def staff_pages(client: Client, site) -> dict[str, tuple[int, bytes]]:
    doctor, booked = site["doctor"], site["booked"]
    pages = {}
    login = client.get(reverse("staff:login"))
    pages["login"] = (login.status_code, login.content)
    wrong = client.post(reverse("staff:login"), {"username": "desk", "password": "not it"})
    pages["login-error"] = (wrong.status_code, wrong.content)
    client.post(reverse("staff:login"), {"username": "desk", "password": PASSWORD})

    def get(url, data=None):
        response = client.get(url, data)
        return response.status_code, response.content

    day = booked.starts_at.astimezone(doctor.location.zone).date().isoformat()
    found = client.post(reverse("staff:find"), {"q": "priya"})
    nothing = client.post(reverse("staff:find"), {"q": "O'Nobody"})
    # Today's no-show (undo offered on the day) and a failed email for the messages page.
    missed = AppointmentFactory(
        doctor=doctor,
        starts_at=NOW - timedelta(hours=1),
        patient_name="Nisha Missed",
        status=AppointmentStatus.NO_SHOW,
    )
    Message.objects.create(
        appointment=missed,
        kind=MessageKind.CONFIRMATION,
        due_at=NOW - timedelta(days=1),
        planned_for=missed.starts_at,
        state=MessageState.FAILED,
        last_error="SMTPRecipientsRefused: <nisha@example.com>",
    )
    today = NOW.astimezone(doctor.location.zone).date().isoformat()
    caller_errors = client.post(
        reverse("staff:book-doctor", args=[doctor.slug]),
        {"date": day, "booking_token": str(uuid.uuid4()), "patient_name": "Ravi Caller"},
    )
    pages |= {
        "day": get(reverse("staff:day"), {"date": day, "location": doctor.location.slug}),
        "week": get(reverse("staff:week", args=[doctor.slug])),
        "appointment": get(reverse("staff:appointment", args=[booked.reference])),
        "staff-reschedule": get(reverse("staff:reschedule", args=[booked.reference])),
        "find": get(reverse("staff:find")),
        "find-with-results": (found.status_code, found.content),
        "find-nothing": (nothing.status_code, nothing.content),
        "day-with-undo": get(reverse("staff:day"), {"date": today, "location": doctor.location.slug}),
        "appointment-with-undo": get(reverse("staff:appointment", args=[missed.reference])),
        "exports": get(reverse("staff:exports")),
        "exports-with-errors": get(reverse("staff:export-xlsx"), {"date_from": "2026-11-30", "date_to": "x"}),
        "messages": get(reverse("staff:messages")),
        "book": get(reverse("staff:book")),
        "book-caller": get(reverse("staff:book-doctor", args=[doctor.slug]), {"date": day}),
        "book-caller-with-errors": (caller_errors.status_code, caller_errors.content),
        "print": get(reverse("staff:print"), {"date": day, "location": doctor.location.slug}),
        "waitlist": get(reverse("waitlist:staff"), {"doctor": doctor.slug, "date": day}),
        "not-found": get(reverse("staff:appointment", args=["NOSUCHREF"])),
    }
    outsider = Client()
    outsider.force_login(UserFactory(is_staff=True))  # signed in, but no staff group
    refused = outsider.get(reverse("staff:day"))
    pages["forbidden"] = (refused.status_code, refused.content)
    return pages


def test_the_main_public_and_staff_pages_are_valid_html(tmp_path, site, front_desk_user):
    front_desk_user.username = "desk"
    front_desk_user.set_password(PASSWORD)
    front_desk_user.save()
    pages = public_pages(Client(), site) | {f"staff-{k}": v for k, v in staff_pages(Client(), site).items()}
    assert b"Priya Sharma" in pages["staff-day"][1]  # the day shows the visit, its phone link included
    assert b"Undo no-show" in pages["staff-day-with-undo"][1]
    assert b"Nisha Missed" in pages["staff-messages"][1]
    assert "Nothing matches “O&#x27;Nobody”".encode() in pages["staff-find-nothing"][1]
    assert b"Ravi Sharma, for their parent" in pages["staff-day"][1]
    assert b"Priya Sharma, your parent" in pages["my-appointments-list"][1]
    statuses = {name: status for name, (status, _) in pages.items()}
    expected = {
        "details-with-errors": 400,
        "staff-book-caller-with-errors": 400,
        "staff-exports-with-errors": 400,
        "my-appointments-with-errors": 400,
        "waitlist-join-with-errors": 400,
        "details-already-booked": 409,
        "details-mobile-cap": 409,
        "my-appointments-expired": 410,
        "staff-not-found": 404,
        "staff-forbidden": 403,
    }
    assert statuses == {name: expected.get(name, 200) for name in pages}
    assert b"You already have a booking" in pages["details-already-booked"][1]
    assert b"This mobile number already has 1 upcoming" in pages["details-mobile-cap"][1]

    files = []
    for name, (_, content) in pages.items():
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(content)
    planted = tmp_path / "planted.html"
    planted.write_text(PLANTED)
    errors = validate([*files, planted])

    planted_errors = errors.pop("planted.html")
    assert any("fraction of a second must be one, two, or three digits" in e for e in planted_errors)
    assert any("Backslash" in e for e in planted_errors)
    invalid = [f"{name}: {error}" for name, found in errors.items() for error in found]
    assert not invalid, f"{len(invalid)} HTML errors:\n" + "\n".join(invalid)


def test_machine_readable_times_are_to_the_second(client, site):
    """`<time datetime>`, Open Graph and JSON-LD carry the publication instant without microseconds
    (HTML allows at most three fraction digits; the clock here has six)."""
    article = site["article"]
    assert article.published_at.microsecond == 123456
    expected = "2026-11-22T08:00:30+05:30"  # one day before NOW, in the clinic's zone
    listing = client.get(reverse("articles:list")).content.decode()
    detail = client.get(article.get_absolute_url()).content.decode()
    assert f'<time datetime="{expected}">' in listing
    assert f'<meta property="article:published_time" content="{expected}">' in detail
    assert '"datePublished": "2026-11-22T02:30:30+00:00"' in detail
    assert ".123456" not in listing + detail
