"""Waitlist fairness under real concurrency (PostgreSQL, one connection per thread): never two offers for
one time, never two open offers for one waiter, and an offer taken as it expires books once."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection

from appointments.models import Appointment
from appointments.services import appointment_cancel
from tests.waitlist.conftest import NOW, TUE_0900, TUE_0920, TUESDAY, WEDNESDAY
from waitlist.models import OfferState, WaitlistOffer
from waitlist.services import OfferGone, entry_join, offer_accept, waitlist_sweep

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Concurrency needs parallel transactions: runs on PostgreSQL (set DATABASE_URL).",
    ),
]


def at_once(jobs):
    """Run each callable in its own thread and connection, released together; [(result or error)]."""
    barrier = threading.Barrier(len(jobs))
    results = []
    lock = threading.Lock()

    def run(job):
        try:
            barrier.wait(timeout=30)
            try:
                outcome = job()
            except Exception as error:
                outcome = error
            with lock:
                results.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def waiters(doctor, count, not_after=TUESDAY):
    return [
        entry_join(
            doctor=doctor,
            patient_name=f"Waiter {number}",
            patient_phone=f"+91987650{number:04d}",
            patient_email=f"waiter{number}@example.com",
            not_after=not_after,
        )
        for number in range(count)
    ]


def assert_fair():
    open_offers = WaitlistOffer.objects.filter(state=OfferState.OPEN)
    slots = list(open_offers.values_list("starts_at", flat=True))
    entries = list(open_offers.values_list("entry_id", flat=True))
    assert len(slots) == len(set(slots)), "two open offers for one time"
    assert len(entries) == len(set(entries)), "two open offers for one waiter"


def test_many_sweeps_at_once_make_one_offer_for_one_freed_time(doctor, full_week):
    with time_machine.travel(NOW, tick=False):
        waiters(doctor, 6)
        Appointment.objects.filter(pk=full_week[TUE_0920].pk).update(
            status="cancelled"
        )  # freed behind our back
        results = at_once([waitlist_sweep] * 8)
    assert not [r for r in results if isinstance(r, Exception)]
    assert sum(results) == 1
    [offer] = WaitlistOffer.objects.all()
    assert offer.entry.patient_name == "Waiter 0"  # first come, first served


def test_cancels_at_once_give_each_freed_time_to_one_waiter(doctor, full_week):
    with time_machine.travel(NOW, tick=False):
        waiters(doctor, 4, not_after=WEDNESDAY)
        visits = list(full_week.values())
        results = at_once([lambda visit=visit: appointment_cancel(appointment=visit) for visit in visits])
    assert not [r for r in results if isinstance(r, Exception)]
    assert_fair()
    offered = WaitlistOffer.objects.filter(state=OfferState.OPEN)
    assert offered.count() == 4  # six free times, four waiters: each waiter one offer
    assert sorted(offered.values_list("entry__patient_name", flat=True)) == [f"Waiter {n}" for n in range(4)]


def test_an_offer_taken_as_the_sweep_expires_it_books_at_most_once(doctor, full_week):
    with time_machine.travel(NOW, tick=False) as clock:
        waiters(doctor, 2)
        appointment_cancel(appointment=full_week[TUE_0900])
        first = WaitlistOffer.objects.get(starts_at=TUE_0900)
        clock.move_to(first.expires_at - timedelta(microseconds=1))
        results = at_once([lambda: offer_accept(offer=first), waitlist_sweep, waitlist_sweep])
    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(error, OfferGone) for error in errors)
    assert Appointment.objects.active().filter(starts_at=TUE_0900).count() == 1
    assert_fair()
    first.refresh_from_db()
    assert first.state == OfferState.ACCEPTED
