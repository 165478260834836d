"""Privacy: the versioned privacy notice, each booking's consent, anonymised visits, and the record
of one patient's requests to see or erase their data (SPEC 5; issue 16).

This app sits above `appointments` and `notifications`: it reads and anonymises their rows through
its services; they know it only through `appointment_book`'s consent keyword.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

# What an anonymised visit shows instead of the patient's name: no initials, nothing derived from it.
ANONYMISED_NAME = "Anonymised patient"


class PrivacyNoticeQuerySet(models.QuerySet):
    def in_effect(self, today: date):
        """Versions whose effective date (the clinic's calendar date) has come, newest first."""
        return self.filter(effective_on__lte=today).order_by("-effective_on", "-version")


class PrivacyNotice(models.Model):
    """One version of the privacy notice. Its text is frozen once it takes effect (see the admin)."""

    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    effective_on = models.DateField(
        _("in effect from"),
        help_text=_(
            "The clinic's calendar date from which bookings agree to this version. Today or later; "
            "the text cannot be changed once this date has come."
        ),
    )
    summary = models.CharField(
        _("what changed"), max_length=300, blank=True, help_text=_("One line for the notice's history.")
    )
    body = models.TextField(_("text"), help_text=_("Markdown: ## for headings, - for lists."))
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
        help_text=_("Empty for version 1, which the software shipped with."),
    )

    objects = PrivacyNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("privacy notice version")
        verbose_name_plural = _("privacy notice versions")
        constraints = [
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="privacynotice_version_positive",
                violation_error_message=_("Versions start at 1."),
            )
        ]

    def __str__(self):
        return f"{_('Privacy notice')} v{self.version} ({self.effective_on:%Y-%m-%d})"

    def get_absolute_url(self):
        return reverse("privacy:notice-version", kwargs={"version": self.version})


class ConsentMethod(models.TextChoices):
    ONLINE = "online", _("Online, on the booking form")
    PHONE = "phone", _("By phone, to a member of staff")
    IN_PERSON = "in_person", _("In person, to a member of staff")


class Consent(models.Model):
    """Which notice version the patient of one booking agreed to, when, how, and who took it."""

    appointment = models.OneToOneField(
        "appointments.Appointment", on_delete=models.CASCADE, primary_key=True, related_name="consent"
    )
    notice = models.ForeignKey(
        PrivacyNotice, on_delete=models.PROTECT, related_name="consents", verbose_name=_("notice version")
    )
    given_at = models.DateTimeField(_("given at"))
    method = models.CharField(_("how"), max_length=16, choices=ConsentMethod)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken by"),
        help_text=_("The member of staff who asked the caller; empty for online bookings."),
    )
    backfilled = models.BooleanField(
        _("recorded afterwards"),
        default=False,
        help_text=_(
            "Recorded when consent records were introduced, for a booking made earlier through a form "
            "whose consent box was already required (docs/decisions.md)."
        ),
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=ConsentMethod.values),
                name="consent_method_valid",
                violation_error_message=_("Unknown consent method."),
            ),
            models.CheckConstraint(
                condition=Q(method=ConsentMethod.ONLINE) | Q(taken_by__isnull=False) | Q(backfilled=True),
                name="consent_staff_named",
                violation_error_message=_("Consent given to staff records who took it."),
            ),
        ]

    def __str__(self):
        return f"{self.appointment_id}: v{self.notice_id} {self.method}"


class AnonymisationReason(models.TextChoices):
    RETENTION = "retention", _("Retention window passed")
    REQUEST = "request", _("Erasure request")


class Anonymisation(models.Model):
    """Marks a visit whose patient fields were removed: when, why, and (for a request) which one."""

    appointment = models.OneToOneField(
        "appointments.Appointment", on_delete=models.CASCADE, primary_key=True, related_name="anonymisation"
    )
    at = models.DateTimeField(_("at"))
    reason = models.CharField(_("why"), max_length=16, choices=AnonymisationReason)
    request = models.ForeignKey(
        "DataRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="anonymised_visits",
        verbose_name=_("request"),
    )

    class Meta:
        verbose_name = _("anonymised visit")
        verbose_name_plural = _("anonymised visits")
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=AnonymisationReason.values),
                name="anonymisation_reason_valid",
                violation_error_message=_("Unknown anonymisation reason."),
            ),
            models.CheckConstraint(
                condition=Q(reason=AnonymisationReason.RETENTION) | Q(request__isnull=False),
                name="anonymisation_request_named",
                violation_error_message=_("An erasure names its request."),
            ),
        ]

    def __str__(self):
        return f"{self.appointment_id}: {self.reason}"


class RequestChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    IN_PERSON = "in_person", _("In person")
    LETTER = "letter", _("Letter")


class Requester(models.TextChoices):
    PATIENT = "patient", _("The patient")
    GUARDIAN = "guardian", _("A parent or guardian")
    REPRESENTATIVE = "representative", _("A legal representative")


class RequestState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class DataRequest(models.Model):
    """One person's request to see or erase what the clinic holds about a mobile number or email.

    While open it keeps the identifiers it searches by; closing it (by hand, by a complete erasure,
    or by the retention sweep) keeps only a masked form, so the record of the request outlives the
    data without holding it.
    """

    requester = models.CharField(_("who asked"), max_length=16, choices=Requester, default=Requester.PATIENT)
    channel = models.CharField(_("asked by"), max_length=16, choices=RequestChannel)
    identity_check = models.CharField(
        _("how identity was checked"),
        max_length=200,
        help_text=_("For example “Reference and visit date matched”. Do not copy personal details here."),
    )
    phone = PhoneNumberField(_("mobile number"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    masked = models.CharField(_("identifiers (masked)"), max_length=120, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=RequestState, default=RequestState.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("patient data request")
        verbose_name_plural = _("patient data requests")
        permissions = [
            ("handle_patient_data", _("Can find, export and erase one patient's data")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=RequestChannel.values),
                name="datarequest_channel_valid",
                violation_error_message=_("Unknown channel."),
            ),
            models.CheckConstraint(
                condition=Q(requester__in=Requester.values),
                name="datarequest_requester_valid",
                violation_error_message=_("Unknown requester."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=RequestState.values),
                name="datarequest_state_valid",
                violation_error_message=_("Unknown state."),
            ),
            models.CheckConstraint(
                condition=Q(state=RequestState.CLOSED) | ~Q(phone="") | ~Q(email=""),
                name="datarequest_has_identifier",
                violation_error_message=_("Enter a mobile number or an email address."),
            ),
            models.CheckConstraint(
                condition=Q(state=RequestState.OPEN) | (Q(phone="") & Q(email="")),
                name="datarequest_closed_is_masked",
                violation_error_message=_("A closed request keeps no identifiers."),
            ),
        ]

    def __str__(self):
        return f"{_('Request')} #{self.pk}"

    def get_absolute_url(self):
        return reverse("privacy:request", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state == RequestState.OPEN


class EventAction(models.TextChoices):
    OPENED = "opened", _("Request opened")
    VIEWED = "viewed", _("Data viewed")
    EXPORTED_JSON = "exported_json", _("Exported as JSON")
    EXPORTED_HTML = "exported_html", _("Exported as HTML")
    ERASED = "erased", _("Erased")
    CLOSED = "closed", _("Request closed")
    RETENTION = "retention", _("Retention sweep")


class PrivacyEvent(models.Model):
    """The audit log of privacy work: every step of a request, and every run of the retention sweep.

    `detail` holds counts and appointment references, never names, numbers or addresses.
    """

    request = models.ForeignKey(
        DataRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    action = models.CharField(_("action"), max_length=16, choices=EventAction)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty for the nightly retention sweep."),
    )
    at = models.DateTimeField(_("at"))
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("privacy audit entry")
        verbose_name_plural = _("privacy audit log")
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=EventAction.values),
                name="privacyevent_action_valid",
                violation_error_message=_("Unknown action."),
            )
        ]
        indexes = [models.Index(fields=["request", "at"], name="privacyevent_request_at")]

    def __str__(self):
        return f"{self.get_action_display()} · {self.at:%Y-%m-%d %H:%M} UTC"
