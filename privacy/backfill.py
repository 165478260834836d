"""Consent records for bookings that have none, shared by the data migration (historical models)
and the demo seed (live models): the models come in as arguments, as `doctors.roles.grant` does."""

BATCH = 2000

# Booking source -> consent method; plain strings so historical models can use it too.
METHOD_BY_SOURCE = {"online": "online", "phone": "phone", "walk_in": "in_person"}


def backfill_consents(*, Appointment, Consent, StatusChange, notice_id: int) -> int:
    """Record consent to notice `notice_id` for every booking without a record; returns how many.

    Such bookings were made through a form whose consent box was required (or are demo rows), so
    the record says the notice was agreed when the booking was created, by the source's method,
    taken by whoever created it (the first row of its status history), marked `backfilled`.
    """
    added, after = 0, 0
    while True:
        # A cursor on the primary key: each batch reads only its own rows, whatever the table's size.
        rows = list(
            Appointment.objects.filter(pk__gt=after, consent__isnull=True)
            .order_by("pk")
            .values_list("pk", "created_at", "source")[:BATCH]
        )
        if not rows:
            return added
        after = rows[-1][0]
        creators = dict(
            StatusChange.objects.filter(appointment_id__in=[pk for pk, _, _ in rows], from_status="")
            .order_by("appointment_id", "at", "pk")
            .values_list("appointment_id", "by_id")
        )
        Consent.objects.bulk_create(
            [
                Consent(
                    appointment_id=pk,
                    notice_id=notice_id,
                    given_at=created_at,
                    method=METHOD_BY_SOURCE.get(source, "online"),
                    taken_by_id=None if source == "online" else creators.get(pk),
                    backfilled=True,
                )
                for pk, created_at, source in rows
            ]
        )
        added += len(rows)
