"""Demo data for booking: working hours for every demo doctor and a spread of appointments.

`seed` is idempotent: hours are replaced per doctor only when a doctor has none; demo
appointments carry references starting with "DEMO" (sample), "DT" (today's day schedule) or "0"
(bulk) and are not created twice.
"""

import random
import zlib
from datetime import datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone

from appointments import availability
from appointments.models import (
    Appointment,
    AppointmentSource,
    AppointmentStatus,
    DoctorSchedule,
    Relationship,
    StatusChange,
    WorkingHours,
    new_manage_key,
)
from appointments.services import unique_reference
from doctors.models import Doctor, Location

S = AppointmentStatus
MORNING = (time(9, 30), time(13, 0))
AFTERNOON = (time(14, 0), time(17, 30))
PATIENTS = [
    "Aditi Rao",
    "Rahul Sharma",
    "Kavya Pillai",
    "Nikhil Kapoor",
    "Sana Nair",
    "Ravi Gupta",
    "Isha Menon",
]


def _hours_for(doctor, locations, rng):
    """Mon–Sat mornings and afternoons with a lunch break; every third doctor spends Saturdays elsewhere;
    every other doctor runs a Sunday morning clinic (so the staff day schedule is never empty in a demo)."""
    rows = []
    other = next((loc for loc in locations if loc.pk != doctor.location_id), doctor.location)
    if doctor.pk % 2 == 0:
        rows.append(
            WorkingHours(
                doctor=doctor, location=doctor.location, weekday=6, starts_at=MORNING[0], ends_at=MORNING[1]
            )
        )
    for weekday in range(6):
        place = other if weekday == 5 and doctor.pk % 3 == 0 else doctor.location
        rows.append(
            WorkingHours(
                doctor=doctor, location=place, weekday=weekday, starts_at=MORNING[0], ends_at=MORNING[1]
            )
        )
        if weekday != 5:
            rows.append(
                WorkingHours(
                    doctor=doctor,
                    location=place,
                    weekday=weekday,
                    starts_at=AFTERNOON[0],
                    ends_at=AFTERNOON[1],
                )
            )
    return rows


@transaction.atomic
def seed(*, appointments: int = 0) -> dict[str, int]:
    rng = random.Random(7)
    doctors = list(Doctor.objects.select_related("location").order_by("pk"))
    locations = list(Location.objects.active())
    with_hours = set(WorkingHours.objects.values_list("doctor_id", flat=True).distinct())
    WorkingHours.objects.bulk_create(
        [
            row
            for doctor in doctors
            if doctor.pk not in with_hours
            for row in _hours_for(doctor, locations, rng)
        ],
        batch_size=1000,
    )
    DoctorSchedule.objects.bulk_create(
        [DoctorSchedule(doctor=d, slot_minutes=30 if d.pk % 4 == 0 else 20) for d in doctors],
        ignore_conflicts=True,
    )
    _seed_today(doctors[:12], rng)
    if not Appointment.objects.filter(reference__startswith="DEMO").exists():
        _seed_sample(doctors[:12], rng)
    if appointments:
        _seed_bulk(doctors, appointments, rng)
    return {"hours": WorkingHours.objects.count(), "appointments": Appointment.objects.count()}


# Every sixth demo visit was booked by a relative (issue 15 item 3), chosen from the reference so the
# random sequence (and so the rest of the demo) stays what it was.
BOOKERS = [
    ("Meera Iyer", Relationship.PARENT),
    ("Arun Das", Relationship.CHILD),
    ("Lata Bose", Relationship.PARTNER),
]


def _row(doctor, slot_start, slot_end, location, reference, rng, status=AppointmentStatus.BOOKED):
    family = zlib.crc32(reference.encode()) % 6 == 0
    booker_name, relationship = BOOKERS[zlib.crc32(reference.encode()) % 3] if family else ("", "")
    return Appointment(
        doctor=doctor,
        location=location,
        starts_at=slot_start,
        ends_at=slot_end,
        patient_name=rng.choice(PATIENTS),
        patient_phone=f"+9198{rng.randrange(10**8):08d}",
        booker_name=booker_name,
        booker_relationship=relationship,
        reason=rng.choice(["", "Low back pain", "Neck pain after a fall", "Review of MRI"]),
        status=status,
        source=rng.choice(list(AppointmentSource.values)),
        reference=reference,
    )


def _seed_today(doctors, rng):
    """A realistic day for the staff schedule: today's visits, finished ones completed or missed.

    References start with "DT"; run again the same day and nothing doubles.
    """
    if not doctors:
        return
    now = timezone.now()
    zone = doctors[0].location.zone
    day = now.astimezone(zone).date()
    day_start = datetime.combine(day, time.min, tzinfo=zone)
    if Appointment.objects.filter(
        reference__startswith="DT", starts_at__gte=day_start, starts_at__lt=day_start + timedelta(days=1)
    ).exists():
        return
    free = availability.free_slots_by_doctor([d.pk for d in doctors], day, day_start, min_notice=timedelta(0))
    rows = []
    for doctor in doctors:
        for slot in free.get(doctor.pk, [])[::2][:8]:
            if slot.end <= now:
                status = rng.choice([AppointmentStatus.COMPLETED] * 4 + [AppointmentStatus.NO_SHOW])
            elif slot.start <= now:
                status = AppointmentStatus.CHECKED_IN
            else:
                status = rng.choice([AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED])
            reference = "DT" + unique_reference()[2:]
            rows.append(_row(doctor, slot.start, slot.end, slot.location, reference, rng, status))
    _history(Appointment.objects.bulk_create(rows), now, rng)


def _seed_sample(doctors, rng):
    """A handful of past (completed, no-show, cancelled) and future (booked) visits per doctor."""
    now = timezone.now()
    rows = []
    for index, doctor in enumerate(doctors):
        # Future: a few of the doctor's real free slots over the next two weeks.
        free = availability.free_slots(doctor, availability.local_today(doctor, now), 14, now)
        for number, slot in enumerate(rng.sample(free, min(4, len(free)))):
            rows.append(_row(doctor, slot.start, slot.end, slot.location, f"DEMO{index:02d}F{number}", rng))
        # Past: on the same weekday grid, weeks ago.
        for number, slot in enumerate(free[:3]):
            weeks = timedelta(weeks=3 + number)
            status = [AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW, AppointmentStatus.CANCELLED][
                number
            ]
            rows.append(
                _row(
                    doctor,
                    slot.start - weeks,
                    slot.end - weeks,
                    slot.location,
                    f"DEMO{index:02d}P{number}",
                    rng,
                    status,
                )
            )
    _history(Appointment.objects.bulk_create(rows), now, rng)


def _history(appointments, now, rng) -> None:
    """Audit rows for seeded visits, as the real workflow writes them (issue 12 finding 2): created as
    "" -> booked, then each step to the seeded status (booked -> confirmed -> checked in -> completed;
    a no-show from booked or confirmed; a cancellation from booked), at plausible times never after
    `now`. `by` is empty and the note says "Demo data" (no real person did it). With this history an
    undo on the demo day goes back where the visit came from, as it does for real changes."""
    steps_to = {
        S.BOOKED: [S.BOOKED],
        S.CONFIRMED: [S.BOOKED, S.CONFIRMED],
        S.CHECKED_IN: [S.BOOKED, S.CONFIRMED, S.CHECKED_IN],
        S.COMPLETED: [S.BOOKED, S.CONFIRMED, S.CHECKED_IN, S.COMPLETED],
        S.CANCELLED: [S.BOOKED, S.CANCELLED],
    }
    rows = []
    for appointment in appointments:
        path = steps_to.get(appointment.status) or (
            [S.BOOKED, S.CONFIRMED, S.NO_SHOW] if rng.random() < 0.5 else [S.BOOKED, S.NO_SHOW]
        )
        when = {
            S.BOOKED: appointment.starts_at - timedelta(days=3),
            S.CONFIRMED: appointment.starts_at - timedelta(days=1),
            S.CANCELLED: appointment.starts_at - timedelta(days=1),
            S.CHECKED_IN: appointment.starts_at - timedelta(minutes=10),
            S.NO_SHOW: appointment.starts_at + timedelta(minutes=15),
            S.COMPLETED: appointment.ends_at,
        }
        previous = ""
        for status in path:
            rows.append(
                StatusChange(
                    appointment=appointment,
                    from_status=previous,
                    to_status=status,
                    at=min(when[status], now),
                    note="Demo data",
                )
            )
            previous = status
    StatusChange.objects.bulk_create(rows)


def _seed_bulk(doctors, count, rng):
    """`count` appointments for benchmarks: past and future, distinct 20-minute slots per doctor.

    Written with one multi-row INSERT per 5,000 rows of ready database values instead of
    `bulk_create`: building 200,000 model instances (phone numbers parsed and validated twice each)
    took about three minutes on SQLite, the raw rows take seconds.
    """
    # Bulk references are zero-padded numbers: "0…" never comes out of the reference alphabet.
    existing = Appointment.objects.filter(reference__startswith="0").count()
    wanted = max(count - existing, 0)
    if not wanted or not doctors:
        return
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(days=365)
    per_doctor = -(-count // len(doctors))
    # Spread each doctor's share from a year ago to a month ahead, on a 20-minute grid: distinct starts.
    step = timedelta(minutes=max(20, (395 * 24 * 60 // per_doctor) // 20 * 20))
    past_statuses = [AppointmentStatus.COMPLETED] * 8 + [AppointmentStatus.NO_SHOW]
    reasons = ["", "Low back pain", "Neck pain after a fall", "Review of MRI"]
    sources = list(AppointmentSource.values)
    # Future bulk rows are booked: one that overlaps a booking already there (the sample above) is
    # seeded as cancelled instead, so the no-double-booking constraints hold.
    taken: dict[int, list[tuple]] = {}
    for doctor_id, taken_start, taken_end in (
        Appointment.objects.active().filter(ends_at__gt=now).values_list("doctor_id", "starts_at", "ends_at")
    ):
        taken.setdefault(doctor_id, []).append((taken_start, taken_end))
    rows = []
    for number in range(existing, existing + wanted):
        doctor = doctors[number % len(doctors)]
        slot_start = start + step * (number // len(doctors))
        slot_end = slot_start + timedelta(minutes=20)
        if slot_start < now:
            status, cancelled_at = rng.choice(past_statuses), None
        elif any(s < slot_end and slot_start < e for s, e in taken.get(doctor.pk, ())):
            status, cancelled_at = AppointmentStatus.CANCELLED, now
        else:
            status, cancelled_at = AppointmentStatus.BOOKED, None
        rows.append(
            {
                "doctor_id": doctor.pk,
                "location_id": doctor.location_id,
                "starts_at": slot_start,
                "ends_at": slot_end,
                "patient_name": rng.choice(PATIENTS),
                "patient_phone": f"+9198{rng.randrange(10**8):08d}",  # stored E.164, as the field does
                "reason": rng.choice(reasons),
                "status": status,
                "cancelled_at": cancelled_at,
                "source": rng.choice(sources),
                "reference": f"{number:08d}",
                "manage_key": new_manage_key(),
                "created_at": now,
                "updated_at": now,
            }
        )
        if len(rows) >= 5000:
            _insert_rows(rows)
            rows = []
    _insert_rows(rows)


def _insert_rows(rows: list[dict]) -> None:
    """INSERT `rows` (field name -> value) into the appointments table; other fields get their defaults.

    PostgreSQL gets COPY; SQLite one prepared INSERT run over all rows (`executemany`).
    """
    if not rows:
        return
    fields = [f for f in Appointment._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields if f.attname not in rows[0]}
    datetimes = {f.attname for f in fields if f.get_internal_type() == "DateTimeField"}
    table = connection.ops.quote_name(Appointment._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row.get(f.attname, defaults.get(f.attname)) for f in fields])
            return
        adapt = connection.ops.adapt_datetimefield_value
        values = [
            [
                adapt(value) if name in datetimes and value is not None else value
                for name in (f.attname for f in fields)
                for value in [row[name] if name in row else defaults[name]]
            ]
            for row in rows
        ]
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", values)
