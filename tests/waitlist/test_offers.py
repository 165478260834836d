"""Waitlist offers (issue 15 item 2): one freed time, one offer, to the first matching waiter; accept,
expire and pass on; never two offers for one time; nothing inside the minimum notice."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse

from appointments.models import Appointment, AppointmentStatus, SlotHold
from appointments.services import SlotTaken, appointment_book
from notifications.models import Message, MessageKind, MessageState
from notifications.services import message_send
from tests.waitlist.conftest import NOW, TUE_0900, TUE_0920, TUESDAY, WED_0900, WEDNESDAY, cancel, committed
from waitlist.models import EntryStatus, OfferState, PartOfDay, WaitlistEntry, WaitlistOffer
from waitlist.services import (
    OfferGone,
    entry_join,
    offer_accept,
    offer_decline,
    offers_make,
    waitlist_sweep,
)

pytestmark = pytest.mark.django_db


def join(doctor, number, *, not_after=TUESDAY, part=PartOfDay.ANY, appointment=None):
    return entry_join(
        doctor=doctor,
        patient_name=f"Waiter {number}",
        patient_phone=f"+91987650{number:04d}",
        patient_email=f"waiter{number}@example.com",
        not_after=not_after,
        part_of_day=part,
        appointment=appointment,
    )


def free_quietly(visit, doctor=None):
    """Free a time without the post-commit work (so an offer's email stays pending), then offer it if
    `doctor` is given."""
    Appointment.objects.filter(pk=visit.pk).update(status=AppointmentStatus.CANCELLED)
    return offers_make(doctor=doctor) if doctor else []


def open_offers():
    return list(WaitlistOffer.objects.filter(state=OfferState.OPEN).select_related("entry"))


def test_joining_when_nothing_is_free_makes_no_offer(doctor, full_week):
    join(doctor, 1)
    assert not WaitlistOffer.objects.exists()
    assert WaitlistEntry.objects.get().status == EntryStatus.WAITING


def test_one_cancel_gives_one_offer_to_the_first_matching_waiter(doctor, full_week):
    join(doctor, 1, part=PartOfDay.AFTERNOON)  # first in line, but 09:20 is a morning
    second = join(doctor, 2)
    join(doctor, 3)
    cancel(full_week[TUE_0920])
    [offer] = open_offers()
    assert (offer.entry, offer.starts_at) == (second, TUE_0920)
    assert offer.expires_at == NOW + timedelta(minutes=15)
    hold = SlotHold.objects.get(token=offer.token)
    assert hold.expires_at == offer.expires_at
    message = Message.objects.get(offer=offer)  # sent at once, after the cancel's commit
    assert (message.kind, message.state, message.appointment, message.recipient) == (
        MessageKind.WAITLIST_OFFER,
        MessageState.SENT,
        None,
        "waiter2@example.com",
    )


def test_the_offered_time_is_held_for_the_waiter_alone(client, doctor, full_week):
    join(doctor, 1)
    cancel(full_week[TUE_0920])
    picker = client.get(reverse("appointments:picker", kwargs={"slug": doctor.slug}), {"date": "2026-11-24"})
    assert "2026-11-24T03:50:00Z" not in picker.text
    with pytest.raises(SlotTaken):
        appointment_book(
            doctor=doctor, starts_at=TUE_0920, patient_name="Stranger", patient_phone="+919800000001"
        )


def test_the_offer_email_names_the_time_on_the_wall_clock_and_links_to_the_offer(doctor, full_week):
    join(doctor, 1)
    cancel(full_week[TUE_0920])
    message = Message.objects.get(kind=MessageKind.WAITLIST_OFFER)
    assert message_send(message_id=message.pk) == MessageState.SENT
    email = next(email for email in mail.outbox if email.to == ["waiter1@example.com"])
    assert "Tuesday 24 November 2026, 09:20 IST" in email.subject
    assert "until 08:15 IST" in email.body
    assert "/waitlist/offer/" in email.body
    message.refresh_from_db()
    assert (message.state, message.recipient) == (MessageState.SENT, "waiter1@example.com")


def test_accepting_books_the_time_for_a_waiter_without_a_booking(doctor, full_week):
    entry = join(doctor, 1)
    cancel(full_week[TUE_0920])
    [offer] = open_offers()
    appointment = offer_accept(offer=offer)
    assert (appointment.starts_at, appointment.patient_name, appointment.patient_email) == (
        TUE_0920,
        "Waiter 1",
        "waiter1@example.com",
    )
    offer.refresh_from_db()
    entry.refresh_from_db()
    assert (offer.state, entry.status) == (OfferState.ACCEPTED, EntryStatus.BOOKED)
    assert not SlotHold.objects.exists()
    with pytest.raises(OfferGone):
        offer_accept(offer=offer)  # a second tap books nothing more
    assert Appointment.objects.active().filter(starts_at=TUE_0920).count() == 1


def test_accepting_moves_an_existing_booking_and_its_old_time_goes_to_the_next_waiter(doctor, full_week):
    wednesday_visit = full_week[WED_0900]
    mover = join(doctor, 1, appointment=wednesday_visit, not_after=TUESDAY)
    later = join(doctor, 2, not_after=WEDNESDAY)  # would take the Wednesday time
    cancel(full_week[TUE_0920])
    [offer] = open_offers()
    assert offer.entry == mover
    with committed():
        moved = offer_accept(offer=offer)
    assert (moved.pk, moved.reference, moved.starts_at) == (
        wednesday_visit.pk,
        wednesday_visit.reference,
        TUE_0920,
    )
    [next_offer] = open_offers()
    assert (next_offer.entry, next_offer.starts_at) == (later, WED_0900)


def test_an_offer_not_taken_expires_and_passes_to_the_next_waiter_then_to_the_public(
    doctor, full_week, clock
):
    join(doctor, 1)
    join(doctor, 2)
    free_quietly(full_week[TUE_0920], doctor)  # its email not sent yet when the offer runs out
    [first] = open_offers()
    clock.shift(timedelta(minutes=15))
    assert waitlist_sweep() == 1
    first.refresh_from_db()
    assert first.state == OfferState.EXPIRED
    assert Message.objects.get(offer=first).state == MessageState.EXPIRED  # never sent: it ran out
    [second] = open_offers()
    assert (second.entry.patient_name, second.starts_at) == ("Waiter 2", TUE_0920)
    with pytest.raises(OfferGone):
        offer_accept(offer=first)
    clock.shift(timedelta(minutes=15))
    assert waitlist_sweep() == 0  # nobody else waits: the time is back with the public
    assert not open_offers()
    booked = appointment_book(
        doctor=doctor, starts_at=TUE_0920, patient_name="Someone", patient_phone="+919800000002"
    )
    assert booked.starts_at == TUE_0920


def test_declining_passes_the_time_on_at_once_and_keeps_the_place(doctor, full_week):
    first = join(doctor, 1)
    join(doctor, 2)
    cancel(full_week[TUE_0920])
    [offer] = open_offers()
    assert Message.objects.get(offer=offer).state == MessageState.SENT
    offer_decline(offer=offer)
    [next_offer] = open_offers()
    assert next_offer.entry.patient_name == "Waiter 2"
    first.refresh_from_db()
    assert first.status == EntryStatus.WAITING
    offer.refresh_from_db()
    assert offer.state == OfferState.WITHDRAWN
    assert Message.objects.get(offer=offer).state == MessageState.SENT  # the ledger keeps what went out


def test_two_freed_times_and_two_waiters_give_each_one_offer(doctor, full_week):
    join(doctor, 1)
    join(doctor, 2)
    cancel(full_week[TUE_0920])
    cancel(full_week[TUE_0900])
    offers = open_offers()
    assert sorted((o.entry.patient_name, o.starts_at) for o in offers) == [
        ("Waiter 1", TUE_0920),
        ("Waiter 2", TUE_0900),
    ]


def test_one_freed_time_and_many_waiters_give_one_offer_even_when_asked_again(doctor, full_week):
    for number in range(5):
        join(doctor, number)
    cancel(full_week[TUE_0920])
    offers_make(doctor=doctor)
    waitlist_sweep()
    assert len(open_offers()) == 1


def test_the_database_refuses_a_second_open_offer_for_one_time(doctor, full_week):
    join(doctor, 1)
    second = join(doctor, 2)
    cancel(full_week[TUE_0920])
    [offer] = open_offers()
    with pytest.raises(IntegrityError):
        WaitlistOffer.objects.create(
            entry=second,
            doctor=doctor,
            location=doctor.location,
            starts_at=offer.starts_at,
            ends_at=offer.ends_at,
            token="5b0e2a64-8a3f-4d55-9c1b-000000000001",
            expires_at=offer.expires_at,
            created_at=NOW,
        )


def test_no_offer_for_a_time_inside_the_minimum_notice(doctor, full_week, clock):
    join(doctor, 1)
    # Tuesday 06:50 IST: 09:20 is 2 h 30 min away, 09:00 only 2 h 10 min (notice 2 h + a 15 min hold).
    clock.move_to(TUE_0920 - timedelta(hours=2, minutes=30))
    cancel(full_week[TUE_0900], override=True)  # staff, past the cut-off
    assert not open_offers()
    cancel(full_week[TUE_0920], override=True)
    assert [offer.starts_at for offer in open_offers()] == [TUE_0920]


def test_a_waiter_is_never_offered_a_time_later_than_their_booking_or_their_date(doctor, full_week):
    join(doctor, 1, appointment=full_week[TUE_0900], not_after=WEDNESDAY)
    join(doctor, 2, not_after=TUESDAY)
    cancel(full_week[WED_0900])
    assert not open_offers()


def test_messages_are_cancelled_when_the_waiter_books_elsewhere(doctor, full_week):
    join(doctor, 1)
    join(doctor, 2)
    free_quietly(full_week[TUE_0920], doctor)  # offered to Waiter 1; the email is still pending
    [offer] = open_offers()
    free_quietly(full_week[WED_0900])  # a Wednesday time: Waiter 1 books it directly
    with committed():
        appointment_book(
            doctor=doctor, starts_at=WED_0900, patient_name="Waiter 1", patient_phone="+919876500001", now=NOW
        )
    offer.refresh_from_db()
    assert offer.state == OfferState.WITHDRAWN
    assert Message.objects.get(offer=offer).state == MessageState.CANCELLED
    assert WaitlistEntry.objects.get(patient_name="Waiter 1").status == EntryStatus.BOOKED
    [passed_on] = open_offers()
    assert (passed_on.entry.patient_name, passed_on.starts_at) == ("Waiter 2", TUE_0920)


def test_cancelling_the_booking_to_move_ends_its_waiting(doctor, full_week):
    entry = join(doctor, 1, appointment=full_week[WED_0900])
    cancel(full_week[WED_0900])
    entry.refresh_from_db()
    assert entry.status == EntryStatus.LEFT


def test_a_date_in_the_past_or_beyond_the_horizon_is_refused(doctor):
    from django.core.exceptions import ValidationError

    for day in (NOW.date() - timedelta(days=1), NOW.date() + timedelta(days=40)):
        with pytest.raises(ValidationError, match="Choose a day"):
            join(doctor, 1, not_after=day)
    assert not WaitlistEntry.objects.exists()


def test_staff_book_into_an_offered_time_is_refused_until_it_expires(
    doctor, full_week, clock, front_desk_user
):
    join(doctor, 1)
    cancel(full_week[TUE_0920])
    with pytest.raises(SlotTaken):
        appointment_book(
            doctor=doctor,
            starts_at=TUE_0920,
            patient_name="Caller",
            patient_phone="+919800000003",
            by=front_desk_user,
            source="phone",
        )
    assert Appointment.objects.filter(starts_at=TUE_0920, status=AppointmentStatus.BOOKED).count() == 0
