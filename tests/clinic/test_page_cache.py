"""The public page cache (clinic/pagecache.py): revalidation, and the new truth on the very next request.

Issue 14, "Tests must show": a current ETag gives 304 with no query, a stale one 200 with the new body;
a booking, cancel, reschedule, status change, hours change, time off, doctor edit, article edit and the
clock passing a slot each show on the next request (profile picker, cards on home, list and article,
JSON); staff and a patient with a flash message never get a cached page; hits cost no query at all.
"""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appointments import availability
from appointments.models import AppointmentStatus
from appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    appointment_set_status,
)
from tests.factories import ArticleFactory, DoctorFactory, TimeOffFactory, week_hours

pytestmark = pytest.mark.django_db

# Monday 23 November 2026, 08:30 in Kolkata: the doctor's first free time today is 10:40 (two hours'
# notice, 20-minute slots from 09:00).
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
CARD = Template('{% load wallclock %}{{ slot|wall_clock:"short" }}')


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def doctor(clock):
    doctor = DoctorFactory(name="Dr. Meera Iyer")
    week_hours(doctor, intervals=[(time(9, 0), time(13, 0))])
    return doctor


@pytest.fixture
def article(doctor):
    return ArticleFactory(title="Living with sciatica", author=doctor)


def free(doctor, count=3):
    return availability.free_slots(doctor, availability.local_today(doctor), 2)[:count]


def card_text(slot) -> str:
    return CARD.render(Context({"slot": slot}))


def pages(doctor, article):
    """(url, params, kind) for every page that shows the doctor's availability."""
    return [
        (reverse("home"), {}, "card"),
        (reverse("doctors:list"), {}, "card"),
        (reverse("doctors:list"), {"sort": "soonest"}, "card"),
        (doctor.get_absolute_url(), {}, "picker"),
        (article.get_absolute_url(), {}, "card"),
        (reverse("appointments:api-availability", kwargs={"slug": doctor.slug}), {"days": "2"}, "json"),
    ]


def shows_first(client, url, params, kind, slot) -> bool:
    body = client.get(url, params).content.decode()
    if kind == "card":
        return card_text(slot) in body
    if kind == "picker":
        return slot.start_param in body
    return slot.local_start.isoformat() in body


def warm(client, doctor, article):
    """Ask for every page twice: the second answer must be the cached one."""
    for url, params, _ in pages(doctor, article):
        client.get(url, params)
        assert client.get(url, params).headers.get("X-Page-Cache") == "hit", url


def assert_every_page_shows(client, doctor, article, slot):
    for url, params, kind in pages(doctor, article):
        assert shows_first(client, url, params, kind, slot), (url, params)


def test_a_repeated_anonymous_get_is_served_from_the_cache_without_a_query(client, doctor, article):
    for url, params, _ in pages(doctor, article):
        first = client.get(url, params)
        with CaptureQueriesContext(connection) as captured:
            second = client.get(url, params)
        assert len(captured) == 0, url
        assert second.headers["X-Page-Cache"] == "hit"
        assert second.content == first.content
        assert second["ETag"] == first["ETag"]
        assert second["Cache-Control"] == "public, no-cache"
        assert "HX-Request" in second["Vary"]


def test_a_current_etag_gets_304_with_no_query_and_a_stale_one_the_new_body(client, doctor, article):
    url = doctor.get_absolute_url()
    etag = client.get(url)["ETag"]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert len(captured) == 0
    assert response["ETag"] == etag

    doctor.name = "Dr. Meera Iyer-Rao"
    doctor.save()
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "Dr. Meera Iyer-Rao" in response.content.decode()


def test_a_304_also_comes_from_a_fresh_render_when_the_page_was_not_kept(client, settings, doctor):
    settings.PAGE_CACHE_ENABLED = False
    url = doctor.get_absolute_url()
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_a_booking_shows_on_every_page_at_once(client, doctor, article):
    first, second, _ = free(doctor)
    assert_every_page_shows(client, doctor, article, first)
    warm(client, doctor, article)
    appointment_book(
        doctor=doctor, starts_at=first.start, patient_name="Asha Rao", patient_phone="+919812345678"
    )
    for url, params, kind in pages(doctor, article):
        assert not shows_first(client, url, params, kind, first), url
        assert shows_first(client, url, params, kind, second), url


def test_a_cancel_gives_the_time_back_on_every_page(client, doctor, article):
    first, _, _ = free(doctor)
    booked = appointment_book(
        doctor=doctor, starts_at=first.start, patient_name="Asha Rao", patient_phone="+919812345678"
    )
    warm(client, doctor, article)
    appointment_cancel(appointment=booked, reason="Feeling better")
    assert_every_page_shows(client, doctor, article, first)


def test_a_reschedule_frees_the_old_time_and_takes_the_new_one(client, doctor, article):
    first, second, third = free(doctor)
    booked = appointment_book(
        doctor=doctor, starts_at=second.start, patient_name="Asha Rao", patient_phone="+919812345678"
    )
    appointment_book(
        doctor=doctor, starts_at=first.start, patient_name="Ravi Rao", patient_phone="+919812345679"
    )
    warm(client, doctor, article)
    assert_every_page_shows(client, doctor, article, third)
    appointment_reschedule(appointment=booked, starts_at=third.start)
    assert_every_page_shows(client, doctor, article, second)


def test_a_status_change_that_frees_the_time_shows_at_once(client, doctor, article, front_desk_user):
    first, _, _ = free(doctor)
    booked = appointment_book(
        doctor=doctor, starts_at=first.start, patient_name="Asha Rao", patient_phone="+919812345678"
    )
    warm(client, doctor, article)
    appointment_set_status(appointment=booked, to_status=AppointmentStatus.CANCELLED, by=front_desk_user)
    assert_every_page_shows(client, doctor, article, first)


def test_new_hours_and_time_off_show_at_once(client, doctor, article):
    first, second, _ = free(doctor)
    warm(client, doctor, article)
    TimeOffFactory(doctor=doctor, starts_at=first.start, ends_at=second.end)
    third = free(doctor)[0]
    assert third.start > second.start
    assert_every_page_shows(client, doctor, article, third)

    hours = doctor.working_hours.get(weekday=0)
    hours.starts_at = time(
        8, 0
    )  # the new 10:40 is still after the time off, earlier hours change nothing yet
    hours.ends_at = time(14, 0)
    hours.save()
    warm(client, doctor, article)
    doctor.time_off.all().delete()
    assert_every_page_shows(client, doctor, article, first)


def test_a_doctor_edit_and_an_article_edit_show_at_once(client, doctor, article):
    warm(client, doctor, article)
    doctor.name = "Dr. Meera Iyer-Rao"
    doctor.save()
    article.title = "Sciatica, step by step"
    article.save()
    for url, params, _ in pages(doctor, article)[:5]:
        assert "Dr. Meera Iyer-Rao" in client.get(url, params).content.decode(), url
    assert "Sciatica, step by step" in client.get(article.get_absolute_url()).content.decode()


def test_the_clock_passing_the_first_slot_shows_the_next_one(client, clock, doctor, article):
    first, second, _ = free(doctor)
    warm(client, doctor, article)
    clock.move_to(first.start - timedelta(hours=2) + timedelta(minutes=1))  # too soon to book it now
    assert_every_page_shows(client, doctor, article, second)


def test_a_change_committed_by_another_transaction_is_seen(
    client, doctor, article, django_capture_on_commit_callbacks
):
    first, second, _ = free(doctor)
    warm(client, doctor, article)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        appointment_book(
            doctor=doctor, starts_at=first.start, patient_name="Asha Rao", patient_phone="+919812345678"
        )
    assert callbacks  # the versions are bumped again on commit
    assert_every_page_shows(client, doctor, article, second)


def test_a_signed_in_member_of_staff_never_gets_a_cached_page(client, doctor, article, front_desk_user):
    warm(client, doctor, article)
    client.force_login(front_desk_user)
    for url, params, _ in pages(doctor, article):
        response = client.get(url, params)
        assert response.headers.get("X-Page-Cache") != "hit", url
        assert "public" not in response["Cache-Control"]


def test_a_patient_with_a_flash_message_never_gets_a_cached_page(client, doctor, article):
    warm(client, doctor, article)
    client.cookies[CookieStorage.cookie_name] = "anything"
    response = client.get(reverse("home"))
    assert response.headers.get("X-Page-Cache") != "hit"
    assert "public" not in response["Cache-Control"]


def test_a_page_that_sets_a_cookie_is_not_kept(rf, doctor):
    from django.http import HttpResponse

    from clinic.pagecache import PublicPageCacheMiddleware

    def view(request):
        response = HttpResponse("<p>hello</p>")
        response.set_cookie("seen", "1")
        return response

    middleware = PublicPageCacheMiddleware(view)
    url = doctor.get_absolute_url()
    middleware(rf.get(url))
    assert middleware(rf.get(url)).headers.get("X-Page-Cache") != "hit"


def test_a_page_with_a_flash_message_it_shows_itself_is_the_same_for_everyone(client, doctor):
    """A bad date's message is added and shown by the same request (no cookie): the page may be kept."""
    url = reverse("appointments:picker", kwargs={"slug": doctor.slug})
    first = client.get(url, {"date": "not-a-date"})
    assert "could not be read" in first.content.decode()
    second = client.get(url, {"date": "not-a-date"})
    assert second.headers.get("X-Page-Cache") == "hit"
    assert second.content == first.content


def test_posts_and_private_pages_pass_by_the_cache(client, doctor):
    url = reverse("appointments:find-booking")
    client.get(url)
    assert client.get(url).headers.get("X-Page-Cache") != "hit"
    assert "no-store" in client.get(url)["Cache-Control"]


def test_the_phone_line_hint_is_filled_in_for_each_answer(client, clock, doctor):
    clock.move_to(datetime(2026, 11, 23, 2, 20, tzinfo=UTC))  # 07:50 in Kolkata: lines open at 08:00
    url = reverse("doctors:list")
    closed = client.get(url)
    assert "Lines closed" in closed.content.decode()
    clock.move_to(datetime(2026, 11, 23, 2, 40, tzinfo=UTC))  # 08:10
    opened = client.get(url)
    assert opened.headers["X-Page-Cache"] == "hit"
    assert "Lines open now" in opened.content.decode()
    assert opened["ETag"] != closed["ETag"]


def test_the_query_string_is_normalised_and_htmx_kept_apart(client, doctor):
    url = reverse("doctors:list")
    client.get(url, {"sort": "fee", "q": "Iyer"})
    assert client.get(f"{url}?q=Iyer&sort=fee").headers.get("X-Page-Cache") == "hit"
    picker = reverse("appointments:picker", kwargs={"slug": doctor.slug})
    full = client.get(picker)
    fragment = client.get(picker, headers={"HX-Request": "true"})
    assert fragment.headers.get("X-Page-Cache") != "hit"
    assert fragment.content != full.content


def test_while_one_request_renders_a_changed_page_the_others_get_the_previous_copy(client, doctor):
    from django.core.cache import cache

    from clinic.pagecache import page_key

    url = doctor.get_absolute_url()
    before = client.get(url)
    doctor.name = "Dr. Meera Iyer-Rao"
    doctor.save()
    request = client.get(url).wsgi_request  # renders the new page (and lets go of the lock)
    assert "Dr. Meera Iyer-Rao" in client.get(url).content.decode()
    doctor.name = "Dr. Meera Rao"
    doctor.save()
    cache.add(f"{page_key(request)}:rendering", 1, 5)  # another worker is rendering it now
    waiting = client.get(url)
    assert waiting.headers["X-Page-Cache"] == "stale"
    assert "Dr. Meera Iyer-Rao" in waiting.content.decode()
    assert waiting["ETag"] != before["ETag"]
    cache.delete(f"{page_key(request)}:rendering")
    assert "Dr. Meera Rao" in client.get(url).content.decode()
