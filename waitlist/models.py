"""Waitlist for an earlier time (issue 15 item 2): who waits for which doctor, and the offers they get.

A waiter asks to hear of a time with a doctor up to a date (optionally mornings or afternoons only),
either before booking (from the doctor's picker) or to move a booking they have (from its manage page).
When a matching time is free, the first waiter in line gets an offer: the time is held for them alone
(a `appointments.SlotHold` keyed to the offer's token) and they get an email with a signed link.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class PartOfDay(models.TextChoices):
    ANY = "any", _("Any time of day")
    MORNING = "morning", _("Mornings only (before 12:00)")
    AFTERNOON = "afternoon", _("Afternoons only (from 12:00)")


class EntryStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    BOOKED = "booked", _("Booked")  # took an offer, or booked the doctor another way
    LEFT = "left", _("Left the waitlist")


class WaitlistEntryQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(status=EntryStatus.WAITING)


class WaitlistEntry(models.Model):
    """One waiter for one doctor, in line by `created_at` (first come, first served)."""

    doctor = models.ForeignKey("doctors.Doctor", on_delete=models.CASCADE, related_name="waitlist_entries")
    appointment = models.ForeignKey(
        "appointments.Appointment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="waitlist_entries",
        help_text=_("The booking to move to an earlier time; empty when the waiter has none yet."),
    )
    patient_name = models.CharField(_("full name"), max_length=120)
    patient_phone = PhoneNumberField(_("mobile number"))
    patient_email = models.EmailField(_("email"))
    not_after = models.DateField(
        _("up to"), help_text=_("The last day that would suit, at the doctor's location.")
    )
    part_of_day = models.CharField(_("time of day"), max_length=12, choices=PartOfDay, default=PartOfDay.ANY)
    status = models.CharField(_("status"), max_length=12, choices=EntryStatus, default=EntryStatus.WAITING)
    privacy_notice_version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("joined at"))
    updated_at = models.DateTimeField(auto_now=True)

    objects = WaitlistEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(part_of_day__in=PartOfDay.values),
                name="waitlistentry_part_of_day_valid",
                violation_error_message=_("Choose a time of day."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=EntryStatus.values),
                name="waitlistentry_status_valid",
                violation_error_message=_("Unknown waitlist status."),
            ),
        ]
        indexes = [models.Index(fields=["doctor", "status", "created_at"], name="waitlistentry_line")]

    def __str__(self):
        return f"{self.doctor_id} · {self.not_after} · {self.get_status_display()}"


class OfferState(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class WaitlistOffer(models.Model):
    """One free time offered to one waiter, held for them alone until `expires_at` (UTC)."""

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    doctor = models.ForeignKey("doctors.Doctor", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("doctors.Location", on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    token = models.UUIDField(unique=True, editable=False, help_text=_("Also the token of the slot hold."))
    expires_at = models.DateTimeField(_("held until"))
    state = models.CharField(_("state"), max_length=12, choices=OfferState, default=OfferState.OPEN)
    created_at = models.DateTimeField(_("offered at"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("waitlist offer")
        verbose_name_plural = _("waitlist offers")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=OfferState.values),
                name="waitlistoffer_state_valid",
                violation_error_message=_("Unknown offer state."),
            ),
            models.UniqueConstraint(
                fields=["doctor", "starts_at"],
                condition=Q(state=OfferState.OPEN),
                name="waitlistoffer_one_open_per_slot",
                violation_error_message=_("This time is already offered to someone."),
            ),
            models.UniqueConstraint(
                fields=["entry"],
                condition=Q(state=OfferState.OPEN),
                name="waitlistoffer_one_open_per_entry",
                violation_error_message=_("This waiter already has an open offer."),
            ),
        ]

    def __str__(self):
        return f"{self.doctor_id} · {self.starts_at:%Y-%m-%d %H:%M} UTC · {self.get_state_display()}"
