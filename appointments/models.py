"""When: a doctor's weekly hours, time off and slot length, and the appointments booked into them.

All instants are stored in UTC; wall-clock hours are read in the location's time zone.
"""

import re
import secrets
import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from appointments.slots import END_OF_DAY
from clinic.textfold import fold_name
from clinic.wallclock import WallClock, wall_clock
from doctors.models import Price

# An unambiguous alphabet for references read out over the phone: no 0/O, 1/I/L.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 8
DEFAULT_SLOT_MINUTES = 20


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class SlotLength(models.IntegerChoices):
    TEN = 10, _("10 minutes")
    FIFTEEN = 15, _("15 minutes")
    TWENTY = 20, _("20 minutes")
    THIRTY = 30, _("30 minutes")
    FORTY_FIVE = 45, _("45 minutes")
    SIXTY = 60, _("60 minutes")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CONFIRMED = "confirmed", _("Confirmed")
    CHECKED_IN = "checked_in", _("Checked in")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


# Statuses that hold a slot: the no-double-booking constraints apply to these only.
ACTIVE_STATUSES = [AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED, AppointmentStatus.CHECKED_IN]


class AppointmentSource(models.TextChoices):
    ONLINE = "online", _("Online")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")


class VisitType(models.TextChoices):
    FIRST = "first", _("First visit")
    FOLLOW_UP = "follow_up", _("Follow-up")


class Relationship(models.TextChoices):
    """Who the patient is to the person who booked for them (SPEC 3.3: a family shares a phone)."""

    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    PARTNER = "partner", _("Spouse or partner")
    SIBLING = "sibling", _("Brother or sister")
    GRANDPARENT = "grandparent", _("Grandparent")
    GRANDCHILD = "grandchild", _("Grandchild")
    RELATIVE = "relative", _("Other relative")
    FRIEND = "friend", _("Friend")
    CARED_FOR = "cared_for", _("Someone in their care")
    OTHER = "other", _("Other")


# The relationship in a sentence about the booker ("booked by Ravi Rao, for their parent") and in one
# to the booker ("for Asha Rao, your parent"). Staff pages use the first, patient pages and emails the second.
FOR_THEIR = {
    Relationship.PARENT: _("for their parent"),
    Relationship.CHILD: _("for their child"),
    Relationship.PARTNER: _("for their spouse or partner"),
    Relationship.SIBLING: _("for their brother or sister"),
    Relationship.GRANDPARENT: _("for their grandparent"),
    Relationship.GRANDCHILD: _("for their grandchild"),
    Relationship.RELATIVE: _("for a relative"),
    Relationship.FRIEND: _("for a friend"),
    Relationship.CARED_FOR: _("for someone in their care"),
    Relationship.OTHER: _("for someone else"),
}
YOUR = {
    Relationship.PARENT: _("your parent"),
    Relationship.CHILD: _("your child"),
    Relationship.PARTNER: _("your spouse or partner"),
    Relationship.SIBLING: _("your brother or sister"),
    Relationship.GRANDPARENT: _("your grandparent"),
    Relationship.GRANDCHILD: _("your grandchild"),
    Relationship.RELATIVE: _("your relative"),
    Relationship.FRIEND: _("your friend"),
    Relationship.CARED_FOR: _("in your care"),
    Relationship.OTHER: _("booked by you"),
}


class DoctorSchedule(models.Model):
    """Per-doctor booking settings; a doctor without a row uses the defaults."""

    doctor = models.OneToOneField(
        "doctors.Doctor", on_delete=models.CASCADE, primary_key=True, related_name="schedule"
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length"), choices=SlotLength, default=DEFAULT_SLOT_MINUTES
    )

    class Meta:
        verbose_name = _("booking settings")
        verbose_name_plural = _("booking settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_minutes__in=SlotLength.values),
                name="doctorschedule_slot_minutes_valid",
                violation_error_message=_("Choose one of the offered slot lengths."),
            )
        ]

    def __str__(self):
        return f"{self.doctor}: {self.slot_minutes} min"


class WorkingHours(models.Model):
    """One interval of a doctor's week at one location, in that location's wall-clock time.

    An `ends_at` of 00:00 (`END_OF_DAY`) is midnight at the end of the day, shown as 24:00: evening
    hours can run to midnight (20:00-24:00) and a whole day is 00:00-24:00 (docs/decisions.md,
    2026-11-29). Every other interval ends after it starts, on the same day.
    """

    doctor = models.ForeignKey("doctors.Doctor", on_delete=models.CASCADE, related_name="working_hours")
    location = models.ForeignKey("doctors.Location", on_delete=models.PROTECT, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"), help_text=_("24:00 (or 00:00) is midnight at the end of the day."))

    class Meta:
        ordering = ["doctor", "weekday", "starts_at"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")) | Q(ends_at=END_OF_DAY),
                name="workinghours_ends_after_start",
                violation_error_message=_(
                    "Working hours must end after they start, on the same day (24:00 at the latest)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(weekday__in=Weekday.values),
                name="workinghours_weekday_valid",
                violation_error_message=_("Choose a day of the week."),
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.span}"

    @property
    def ends_at_midnight(self) -> bool:
        """True when the interval runs to the end of its day (stored as 00:00)."""
        return self.ends_at == END_OF_DAY

    @property
    def span(self) -> str:
        """The interval on the wall clock as people write it: "09:00–13:00", "20:00–24:00"."""
        end = "24:00" if self.ends_at_midnight else f"{self.ends_at:%H:%M}"
        return f"{self.starts_at:%H:%M}–{end}"


class TimeOff(models.Model):
    doctor = models.ForeignKey("doctors.Doctor", on_delete=models.CASCADE, related_name="time_off")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("time off")
        verbose_name_plural = _("time off")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="timeoff_ends_after_start",
                violation_error_message=_("Time off must end after it starts."),
            )
        ]
        indexes = [models.Index(fields=["doctor", "starts_at"], name="timeoff_doctor_start")]

    def __str__(self):
        return f"{self.doctor}: {self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"


class AppointmentQuerySet(models.QuerySet):
    """Appointments; every bulk write keeps `patient_name_folded` in step with `patient_name`.

    `update`, `bulk_create` and `bulk_update` fold the name themselves, so no code path (the demo's
    bulk inserts, the privacy sweep's update) can leave the staff Find reading a stale name.
    """

    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def update(self, **kwargs):
        if "patient_name" in kwargs and "patient_name_folded" not in kwargs:  # bulk_update sends both
            name = kwargs["patient_name"]
            if not isinstance(name, str):  # an expression: the fold cannot be computed in SQL
                raise TypeError("Appointment.patient_name can only be updated with a plain string.")
            kwargs["patient_name_folded"] = fold_name(name)
        return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for appointment in objs:
            appointment.patient_name_folded = fold_name(appointment.patient_name)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        if "patient_name" in fields:
            for appointment in objs:
                appointment.patient_name_folded = fold_name(appointment.patient_name)
            fields.append("patient_name_folded")
        return super().bulk_update(objs, fields, *args, **kwargs)


# What a spreadsheet reads as a number when a CSV cell holds it: digits, or digits, E and digits
# ("23456789" -> 23456789, "2345E678" -> 2.345E+681). A reference must stay text in every export.
_NUMBER_LIKE = re.compile(r"\d+(E\d+)?")


def new_reference() -> str:
    """A fresh random reference: REFERENCE_LENGTH characters of REFERENCE_ALPHABET (no 0/O, 1/I/L),
    never one a spreadsheet would read as a number (issue 12 finding 3: a CSV opened in Excel or
    LibreOffice must show the reference as written). Uniqueness is the database's job."""
    while True:
        reference = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
        if not _NUMBER_LIKE.fullmatch(reference):
            return reference


def new_manage_key() -> str:
    return secrets.token_urlsafe(24)


class Appointment(models.Model):
    doctor = models.ForeignKey("doctors.Doctor", on_delete=models.PROTECT, related_name="appointments")
    location = models.ForeignKey("doctors.Location", on_delete=models.PROTECT, related_name="appointments")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    patient_name = models.CharField(_("full name"), max_length=120)
    # clinic.textfold.fold_name(patient_name), what the staff Find searches (kept in sync by save()
    # and AppointmentQuerySet; docs/decisions.md "Find that forgives").
    patient_name_folded = models.CharField(max_length=240, blank=True, editable=False)
    patient_phone = PhoneNumberField(_("mobile number"))
    patient_email = models.EmailField(_("email"), blank=True)
    # Booking for someone else (SPEC 3.3): the patient is `patient_name`; the booker's own name is here,
    # and the mobile and email above are the booker's, so the messages go to them. Both empty when the
    # patients booked for themselves.
    booker_name = models.CharField(
        _("booked by"),
        max_length=120,
        blank=True,
        help_text=_("The person who booked for the patient; empty when patients booked for themselves."),
    )
    booker_relationship = models.CharField(
        _("patient is the booker's"), max_length=16, choices=Relationship, blank=True
    )
    reason = models.CharField(_("reason for visit"), max_length=200, blank=True)
    visit_type = models.CharField(_("visit"), max_length=16, choices=VisitType, default=VisitType.FIRST)
    status = models.CharField(
        _("status"), max_length=16, choices=AppointmentStatus, default=AppointmentStatus.BOOKED
    )
    source = models.CharField(
        _("source"), max_length=16, choices=AppointmentSource, default=AppointmentSource.ONLINE
    )
    reference = models.CharField(_("reference"), max_length=REFERENCE_LENGTH, unique=True, editable=False)
    manage_key = models.CharField(max_length=64, default=new_manage_key, editable=False)
    booking_token = models.UUIDField(
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("One-time token of the online form that created it, so a double submit books once."),
    )
    fee = models.DecimalField(
        _("consultation fee"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("As it was when booked; empty on older rows, which show the doctor's current fee."),
    )
    booking_fee = models.DecimalField(
        _("booking fee"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("As it was when booked; empty on older rows, which show the doctor's current fee."),
    )
    cancel_reason = models.CharField(_("cancellation reason"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="appointment_ends_after_start",
                violation_error_message=_("An appointment must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=AppointmentStatus.values),
                name="appointment_status_valid",
                violation_error_message=_("Unknown appointment status."),
            ),
            models.CheckConstraint(
                condition=Q(source__in=AppointmentSource.values),
                name="appointment_source_valid",
                violation_error_message=_("Unknown appointment source."),
            ),
            models.CheckConstraint(
                condition=Q(visit_type__in=VisitType.values),
                name="appointment_visit_type_valid",
                violation_error_message=_("Choose first visit or follow-up."),
            ),
            models.CheckConstraint(
                condition=(Q(fee__isnull=True) | Q(fee__gte=0))
                & (Q(booking_fee__isnull=True) | Q(booking_fee__gte=0)),
                name="appointment_fees_not_negative",
                violation_error_message=_("Fees cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(booker_relationship__in=[*Relationship.values, ""]),
                name="appointment_booker_relationship_valid",
                violation_error_message=_("Unknown relationship."),
            ),
            models.CheckConstraint(
                condition=Q(booker_name="", booker_relationship="")
                | (~Q(booker_name="") & ~Q(booker_relationship="")),
                name="appointment_booker_complete",
                violation_error_message=_(
                    "Someone who books for another person gives their name and relationship."
                ),
            ),
            models.UniqueConstraint(
                fields=["doctor", "starts_at"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="appointment_one_per_slot",
                violation_error_code="slot_taken",
                violation_error_message=_("That time was just taken."),
            ),
        ]
        indexes = [
            models.Index(fields=["doctor", "starts_at"], name="appointment_doctor_start"),
            models.Index(fields=["patient_phone", "doctor"], name="appointment_phone_doctor"),
            models.Index(fields=["location", "starts_at"], name="appointment_location_start"),
            # "My appointments" finds visits by email, case ignored (appointments/my_appointments.py).
            models.Index(Lower("patient_email"), name="appointment_email_lower"),
        ]
        permissions = [
            ("view_schedule", _("Can open the staff schedules (own doctor only without view_appointment)")),
        ]

    def __str__(self):
        if self.location_id is None:  # not placed yet: no wall clock to read it on
            return f"{self.reference} · {self.starts_at:%Y-%m-%d %H:%M} UTC"
        return f"{self.reference} · {self.doctor} · {self.wall_clock.format('numeric')}"

    def save(self, *args, **kwargs):
        """Save, refreshing the folded name the staff Find reads (also when only the name is saved)."""
        self.patient_name_folded = fold_name(self.patient_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "patient_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "patient_name_folded"}
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def for_someone_else(self) -> bool:
        """Whether someone other than the patient booked it (then the mobile and email are theirs)."""
        return bool(self.booker_name)

    @property
    def addressee(self) -> str:
        """Whom messages greet: the person who booked (and whose email and mobile are on file)."""
        return self.booker_name or self.patient_name

    @property
    def booker_words(self) -> str:
        """Staff pages: "Ravi Rao, for their parent"; "" when patients booked for themselves."""
        if not self.booker_name:
            return ""
        return f"{self.booker_name}, {FOR_THEIR.get(self.booker_relationship, FOR_THEIR[Relationship.OTHER])}"

    @property
    def patient_words(self) -> str:
        """Patient pages and emails, read by the booker: "Asha Rao, your parent" (just the name otherwise)."""
        if not self.booker_name:
            return self.patient_name
        return f"{self.patient_name}, {YOUR.get(self.booker_relationship, YOUR[Relationship.OTHER])}"

    @property
    def price(self) -> Price:
        """The price agreed at booking (the doctor's current one for rows booked before prices were kept)."""
        return Price(
            fee=self.doctor.fee if self.fee is None else self.fee,
            booking_fee=self.doctor.booking_fee if self.booking_fee is None else self.booking_fee,
        )

    @property
    def wall_clock(self) -> WallClock:
        """The visit on its location's wall clock: the one way to show its time (clinic.wallclock).

        In templates `{{ appointment|wall_clock:"span" }}`; never `|date` on `local_starts_at`, which
        Django turns back into the server's default zone.
        """
        return wall_clock(self)

    @property
    def local_starts_at(self) -> datetime:
        """The start as an aware datetime in the location's zone (for .ics TZIDs and local dates)."""
        return self.wall_clock.local_start

    @property
    def local_ends_at(self) -> datetime:
        return self.wall_clock.local_end


# A fresh UUID per rendered booking form; see appointment_book.
new_booking_token = uuid.uuid4


class StatusChange(models.Model):
    """One line of an appointment's audit trail: who moved it from which status to which, and when.

    Creation is recorded as "" -> booked; a reschedule as a row whose statuses are equal, with the
    move in the note. `override` marks a staff change made past the patients' cut-off; `undo` a
    same-day correction back to the previous status (appointments.workflow.appointment_status_undo).
    """

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=16, choices=AppointmentStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=AppointmentStatus)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty when the patient did it online."),
    )
    at = models.DateTimeField(_("at"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    override = models.BooleanField(
        _("cut-off override"), default=False, help_text=_("Staff changed it past the patients' cut-off.")
    )
    undo = models.BooleanField(
        _("undo"),
        default=False,
        help_text=_("Staff took back a no-show or a completion the same day; the note says why."),
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        constraints = [
            models.CheckConstraint(
                condition=Q(to_status__in=AppointmentStatus.values),
                name="statuschange_to_status_valid",
                violation_error_message=_("Unknown appointment status."),
            ),
            models.CheckConstraint(
                condition=Q(from_status__in=[*AppointmentStatus.values, ""]),
                name="statuschange_from_status_valid",
                violation_error_message=_("Unknown appointment status."),
            ),
        ]

    def __str__(self):
        return f"{self.appointment_id}: {self.from_status or '–'} → {self.to_status}"


class StaffProfile(models.Model):
    """Per-user staff settings: the location the day schedule opens at."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    default_location = models.ForeignKey(
        "doctors.Location",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default location"),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self):
        return str(self.user)


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A doctor's private calendar-feed token; rotating it replaces the token, so old URLs 404."""

    doctor = models.OneToOneField("doctors.Doctor", on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    rotated_at = models.DateTimeField(_("created or rotated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"{self.doctor}: calendar feed"


class SlotHoldQuerySet(models.QuerySet):
    def active(self, now: datetime):
        """Holds that still keep their time at `now` (aware): they expire at `expires_at`, exclusive."""
        return self.filter(expires_at__gt=now)


class SlotHold(models.Model):
    """A time kept for one open booking form, or for one waitlist offer, until `expires_at` (UTC).

    While active, the time is taken for everyone but the holder of `token` (the booking form's
    one-time token, or the offer's). appointments/holds.py places and releases holds under the
    same lock as bookings; issue 15 item 1, docs/decisions.md ("Slot holds").
    """

    doctor = models.ForeignKey("doctors.Doctor", on_delete=models.CASCADE, related_name="slot_holds")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    token = models.UUIDField(_("token"), unique=True, editable=False)
    expires_at = models.DateTimeField(_("held until"))
    created_at = models.DateTimeField(_("held since"))

    objects = SlotHoldQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("slot hold")
        verbose_name_plural = _("slot holds")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="slothold_ends_after_start",
                violation_error_message=_("A hold must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="slothold_expires_after_creation",
                violation_error_message=_("A hold must expire after it was made."),
            ),
            models.UniqueConstraint(
                fields=["doctor", "starts_at"],
                name="slothold_one_per_slot",
                violation_error_code="slot_held",
                violation_error_message=_("Someone else is holding that time."),
            ),
        ]
        indexes = [models.Index(fields=["expires_at"], name="slothold_expires")]

    def __str__(self):
        return f"{self.doctor_id} · {self.starts_at:%Y-%m-%d %H:%M} UTC until {self.expires_at:%H:%M} UTC"


class NextFreeSlot(models.Model):
    """A doctor's next two free slots within the card look-ahead, stored so lists read them with SQL.

    Derived data, never edited: appointments.nextfree recomputes a row in the same transaction as a
    change that can move it (booking, cancel, reschedule, status change, hours, time off, slot length,
    a location opening or closing) and in the minute sweep; a read finds a row with `stale_at` passed
    (or none) and recomputes it first. `stale_at` is when the row stops being sure: when its second
    slot stops being bookable, or, with fewer than two slots, when the look-ahead window moves on
    (the next midnight in the doctor's zone) or the first slot passes. Issue 14, design item 2.
    """

    doctor = models.OneToOneField(
        "doctors.Doctor", on_delete=models.CASCADE, primary_key=True, related_name="next_free"
    )
    first_start = models.DateTimeField(null=True, blank=True)
    first_end = models.DateTimeField(null=True, blank=True)
    first_location = models.ForeignKey(
        "doctors.Location", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    second_start = models.DateTimeField(null=True, blank=True)
    second_end = models.DateTimeField(null=True, blank=True)
    second_location = models.ForeignKey(
        "doctors.Location", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    stale_at = models.DateTimeField()
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("next free slot")
        verbose_name_plural = _("next free slots")
        indexes = [
            models.Index(fields=["first_start"], name="nextfreeslot_first_start"),
            models.Index(fields=["stale_at"], name="nextfreeslot_stale_at"),
        ]

    def __str__(self):
        return (
            f"{self.doctor_id}: {self.first_start:%Y-%m-%d %H:%M}"
            if self.first_start
            else f"{self.doctor_id}: –"
        )
