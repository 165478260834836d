"""After booking: the ledger of every planned patient message, and verified visit feedback.

The ledger is the source of truth for what should be sent and when; tasks only carry out one row.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("Confirmation")
    REMINDER = "reminder", _("Reminder")
    CHANGED = "changed", _("Changed")
    CANCELLED = "cancelled", _("Cancelled")
    FEEDBACK_REQUEST = "feedback_request", _("Feedback request")
    LINK = "link", _("Booking link")  # asked for again: "Send me my booking link", Find my booking
    # "My appointments": a link to the list of every visit booked with one email address. Its row hangs
    # off the latest of those visits; `recipient` holds the address from planning on.
    VISIT_LIST = "visit_list", _("My appointments link")
    WAITLIST_OFFER = "waitlist_offer", _("Waitlist offer")  # an earlier time, held for one waiter
    DESK_LINK = "desk_link", _("Booking link (front desk)")  # sent by the front desk for a caller


class MessageChannel(models.TextChoices):
    EMAIL = "email", _("Email")


class MessageState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")  # a waitlist offer that ran out before it could go


class MessageQuerySet(models.QuerySet):
    def for_appointment(self, appointment):
        """Every message of one appointment, newest plan first (for staff pages), with the appointment's
        location joined: its times are shown on that location's wall clock."""
        return (
            self.filter(appointment=appointment)
            .select_related("appointment__location")
            .order_by("-created_at", "-pk")
        )

    def pending(self):
        return self.filter(state=MessageState.PENDING)

    def due(self, now):
        return self.pending().filter(due_at__lte=now)


class Message(models.Model):
    appointment = models.ForeignKey(
        "appointments.Appointment", on_delete=models.CASCADE, related_name="messages", null=True, blank=True
    )
    offer = models.ForeignKey(
        "waitlist.WaitlistOffer",
        on_delete=models.CASCADE,
        related_name="messages",
        null=True,
        blank=True,
        help_text=_(
            "The waitlist offer this message carries (waitlist offers only; they have no appointment)."
        ),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind)
    channel = models.CharField(
        _("channel"), max_length=12, choices=MessageChannel, default=MessageChannel.EMAIL
    )
    due_at = models.DateTimeField(_("due at"))
    planned_for = models.DateTimeField(
        _("planned for"), help_text=_("The appointment's start when this message was planned.")
    )
    state = models.CharField(_("state"), max_length=12, choices=MessageState, default=MessageState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    recipient = models.EmailField(_("sent to"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MessageKind.values),
                name="message_kind_valid",
                violation_error_message=_("Unknown message kind."),
            ),
            models.CheckConstraint(
                condition=Q(channel__in=MessageChannel.values),
                name="message_channel_valid",
                violation_error_message=_("Unknown message channel."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=MessageState.values),
                name="message_state_valid",
                violation_error_message=_("Unknown message state."),
            ),
            models.CheckConstraint(
                condition=Q(appointment__isnull=False, offer__isnull=True)
                | Q(appointment__isnull=True, offer__isnull=False, kind="waitlist_offer"),
                name="message_about_one_thing",
                violation_error_message=_("A message is about an appointment or a waitlist offer."),
            ),
            models.UniqueConstraint(
                fields=["appointment", "kind", "channel"],
                condition=Q(state=MessageState.PENDING),
                name="message_one_pending_per_kind",
                violation_error_message=_("This message is already planned."),
            ),
        ]
        indexes = [models.Index(fields=["state", "due_at"], name="message_state_due")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.appointment_id} · {self.get_state_display()}"


class Feedback(models.Model):
    """One answer per completed visit: would the patient recommend the doctor they saw?"""

    appointment = models.OneToOneField(
        "appointments.Appointment", on_delete=models.CASCADE, related_name="feedback"
    )
    would_recommend = models.BooleanField(_("would recommend"))
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    comment_approved = models.BooleanField(
        _("comment approved"), default=False, help_text=_("Only approved comments may ever be shown.")
    )
    created_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = _("feedback")

    def __str__(self):
        return f"{self.appointment_id}: {'yes' if self.would_recommend else 'no'}"
