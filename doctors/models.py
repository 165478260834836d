"""Who and where: doctors, their specialties, the conditions they treat and the places they work.

This app is the ground floor: it imports no other app of the project.
"""

import re
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, FloatField, Q, When
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not an IANA time zone such as Asia/Kolkata."),
            params={"value": value},
        )


ALSO_KNOWN_AS_HELP = _(
    "Other words patients use for it, separated by commas: synonyms, older names, everyday words "
    "and common abbreviations (e.g. herniated disc, slip disc, disc prolapse). Search and suggestions "
    "match these; misspellings are forgiven without listing them."
)


def split_terms(text: str) -> list[str]:
    """The terms of an "also known as" field: split on commas and new lines, blanks dropped, order kept."""
    seen, terms = set(), []
    for term in (part.strip() for part in re.split(r"[,\n;]", text or "")):
        if term and term.casefold() not in seen:
            seen.add(term.casefold())
            terms.append(term)
    return terms


# Titles written before a doctor's name ("Dr. Asha Rao", "Prof. Dr. Asha Rao"): kept in what patients read,
# left out of URLs. static/js/admin-doctor-slug.js drops the same words when the admin fills in a slug.
NAME_TITLES = frozenset({"dr", "doctor", "prof", "professor"})


def split_title(name: str) -> tuple[str, str]:
    """A doctor's name split into its leading titles, as typed, and the rest.

    "Dr. Kiran Rao" -> ("Dr.", "Kiran Rao"); "Prof. Dr Asha Rao" -> ("Prof. Dr", "Asha Rao");
    "Kiran Rao" -> ("", "Kiran Rao"). A name that is nothing but a title keeps it as the rest.
    """
    words = name.split()
    count = 0
    while count < len(words) - 1 and words[count].rstrip(".").casefold() in NAME_TITLES:
        count += 1
    return " ".join(words[:count]), " ".join(words[count:])


def doctor_slug(name: str) -> str:
    """The URL slug of a doctor's name without its title: "Dr. Kiran Rao" -> "kiran-rao" (issue 13, item 7)."""
    return slugify(split_title(name)[1])


class Specialty(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    practitioner = models.CharField(
        _("practitioner"),
        max_length=100,
        blank=True,
        help_text=_("What one of its doctors is called, e.g. Spine surgeon; shown on cards that match it."),
    )
    description = models.TextField(_("description"), blank=True)
    also_known_as = models.TextField(_("also known as"), blank=True, help_text=ALSO_KNOWN_AS_HELP)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("specialties")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("doctors:specialty", kwargs={"slug": self.slug})

    @property
    def aliases(self) -> list[str]:
        return split_terms(self.also_known_as)


class Condition(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    also_known_as = models.TextField(_("also known as"), blank=True, help_text=ALSO_KNOWN_AS_HELP)
    lead_specialties = models.ManyToManyField(
        Specialty,
        related_name="lead_conditions",
        blank=True,
        verbose_name=_("lead specialties"),
        help_text=_(
            "Specialties that lead the care of this condition at the clinic. A search for the condition "
            "lists their doctors first, before other doctors who also treat it."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def aliases(self) -> list[str]:
        return split_terms(self.also_known_as)


class Procedure(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    also_known_as = models.TextField(_("also known as"), blank=True, help_text=ALSO_KNOWN_AS_HELP)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def aliases(self) -> list[str]:
        return split_terms(self.also_known_as)


class Language(models.Model):
    code = models.SlugField(_("code"), max_length=12, unique=True, help_text=_("e.g. en, hi, kn"))
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class LocationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Location(models.Model):
    """A hospital or branch where doctors see patients."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    city = models.CharField(_("city"), max_length=80, db_index=True)
    address = models.TextField(_("address"))
    phone = PhoneNumberField(_("phone"), blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Kolkata", validators=[validate_time_zone]
    )
    map_url = models.URLField(
        _("map link"), blank=True, help_text=_("A plain link to a map; nothing is embedded.")
    )
    also_known_as = models.TextField(
        _("also known as"),
        blank=True,
        help_text=_(
            "Other names patients use for the place or its city, separated by commas "
            "(e.g. Bangalore, MG Road). Search matches these."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LocationQuerySet.as_manager()

    class Meta:
        ordering = ["city", "name"]

    def __str__(self):
        return f"{self.name}, {self.city}"

    def get_absolute_url(self):
        return reverse("doctors:location", kwargs={"slug": self.slug})

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def aliases(self) -> list[str]:
        return split_terms(self.also_known_as)

    @property
    def address_lines(self) -> list[str]:
        """The postal address as lines, with the city added only when the address does not name it.

        Admins type the address as it is written on an envelope, usually with the city and PIN code
        ("Bengaluru 560025"); `city` is a separate field for filters, so printing both doubled it.
        """
        lines = [line.strip() for line in self.address.splitlines() if line.strip()]
        if self.city and not re.search(rf"\b{re.escape(self.city)}\b", self.address, re.IGNORECASE):
            lines.append(self.city)
        return lines

    @property
    def postal_address(self) -> str:
        """The address on one line, comma-separated (emails, calendar entries)."""
        return ", ".join(self.address_lines)


def patients_floor(count: int) -> int:
    """'N+ patients': the count rounded down to a round figure (10s, then 100s, then 1,000s)."""
    if count < 10:
        return 0
    step = 10 if count < 100 else 100 if count < 1000 else 1000
    return count // step * step


@dataclass(frozen=True)
class Recommendation:
    percent: int  # of answers that would recommend
    answers: int  # the sample size: verified plus imported answers
    patients_floor: int  # completed visits (plus imported), rounded down; 0 when under 10


@dataclass(frozen=True)
class Price:
    """What a consultation costs, in the clinic's currency: the fee, the booking fee and, when the fee is
    discounted, the original fee. The one price line (`includes/price.html`) shows it everywhere."""

    fee: Decimal
    booking_fee: Decimal = Decimal(0)
    original_fee: Decimal | None = None

    @property
    def is_discounted(self) -> bool:
        return self.original_fee is not None and self.original_fee > self.fee

    @property
    def total(self) -> Decimal:
        return self.fee + self.booking_fee


class DoctorSort(models.TextChoices):
    RELEVANCE = "relevance", _("Relevance")
    EXPERIENCE = "experience", _("Most experienced")
    FEE = "fee", _("Lowest fee")
    RECOMMENDATION = "recommendation", _("Most recommended")
    SOONEST = "soonest", _("Soonest available")


class DoctorQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, location__is_active=True)

    def for_cards(self):
        """Everything a doctor card shows, in one query for the whole page."""
        return self.select_related("specialty", "location")

    def with_recommendation(self):
        """Annotate the share of "yes" answers (None below the minimum answers) and the answer count.

        The same rule as `Doctor.recommendation`, in SQL, so the list can sort by it.
        """
        total = F("recommend_answers") + F("baseline_answers")
        return self.annotate(
            recommend_total=total,
            recommend_share=Case(
                When(
                    Q(recommend_total__gte=max(settings.RECOMMEND_MIN_ANSWERS, 1)),
                    then=Cast(F("recommend_yes") + F("baseline_yes"), FloatField())
                    / Cast(total, FloatField()),
                ),
                default=None,
                output_field=FloatField(),
            ),
        )

    def search(self, query: str):
        """Doctors matching what a patient typed, annotated with `relevance` (see doctors/search.py)."""
        from doctors import search

        vocabulary = search.load_vocabulary()
        return search.filter_doctors(self, vocabulary.parse(query), vocabulary)

    def sorted_by(self, sort: str):
        """Order by `sort` (a DoctorSort); after a search, relevance comes first and `sort` breaks ties.

        Relevance alone breaks its ties by experience (most first), then name; without a search it is
        the name order.
        """
        searched = "relevance" in self.query.annotations
        first = ["-relevance"] if searched else []
        if sort == DoctorSort.EXPERIENCE:
            return self.order_by(*first, "practising_since", "name")
        if sort == DoctorSort.FEE:
            return self.order_by(*first, "fee", "name")
        if sort == DoctorSort.RECOMMENDATION:
            return self.with_recommendation().order_by(
                *first, F("recommend_share").desc(nulls_last=True), "-recommend_total", "name"
            )
        if searched:
            return self.order_by(*first, "practising_since", "name")
        return self.order_by("name")


class Doctor(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="doctor",
        help_text=_("The staff account this doctor signs in with, if any."),
    )
    name = models.CharField(_("name"), max_length=120, help_text=_("As shown to patients, e.g. Dr. Asha Rao"))
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    specialty = models.ForeignKey(
        Specialty, on_delete=models.PROTECT, related_name="doctors", verbose_name=_("specialty")
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="doctors",
        verbose_name=_("main location"),
    )
    qualifications = models.CharField(_("qualifications"), max_length=160, help_text=_("e.g. MBBS, MS, MCh"))
    practising_since = models.PositiveSmallIntegerField(
        _("practising since"),
        validators=[MinValueValidator(1950), MaxValueValidator(2100)],
        help_text=_("Year the doctor started practising; experience is counted from it."),
    )
    bio = models.TextField(_("biography"), blank=True)
    photo = models.ImageField(
        _("photo"),
        upload_to="doctors/",
        blank=True,
        help_text=_(
            "A head-and-shoulders photo (JPEG, PNG or WebP, up to 15 MB). It is cropped square and "
            "resized once for the pages; without one, the card shows the doctor's initials."
        ),
    )
    # Storage names of the resized copies, by width in pixels (doctors/photos.py); pages never load
    # the upload itself.
    photo_sizes = models.JSONField(_("photo sizes"), default=dict, blank=True, editable=False)
    languages = models.ManyToManyField(Language, related_name="doctors", blank=True)
    conditions = models.ManyToManyField(Condition, related_name="doctors", blank=True)
    procedures = models.ManyToManyField(Procedure, related_name="doctors", blank=True)
    fee = models.DecimalField(_("consultation fee"), max_digits=10, decimal_places=2)
    original_fee = models.DecimalField(
        _("original fee"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Set only when the fee is discounted; shown struck through."),
    )
    booking_fee = models.DecimalField(_("booking fee"), max_digits=10, decimal_places=2, default=Decimal(0))
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive doctors vanish from public pages but keep their history."),
    )
    # Recommendation figures (SPEC 3.4). The verified counts are a stored aggregate, refreshed by
    # notifications.services on every answer and every completed visit, so a page of cards reads
    # them with the doctor row and no extra query. The baseline is entered by an admin.
    recommend_yes = models.PositiveIntegerField(_("verified 'yes' answers"), default=0, editable=False)
    recommend_answers = models.PositiveIntegerField(_("verified answers"), default=0, editable=False)
    completed_visits = models.PositiveIntegerField(_("completed visits"), default=0, editable=False)
    baseline_yes = models.PositiveIntegerField(
        _("imported 'yes' answers"), default=0, help_text=_("From an earlier, verified survey.")
    )
    baseline_answers = models.PositiveIntegerField(
        _("imported answers"), default=0, help_text=_("All answers of that survey, 'yes' and 'no'.")
    )
    baseline_patients = models.PositiveIntegerField(
        _("imported patients"), default=0, help_text=_("Patients seen before online records began.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DoctorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fee__gte=0) & Q(booking_fee__gte=0),
                name="doctor_fees_not_negative",
                violation_error_message=_("Fees cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(original_fee__isnull=True) | Q(fee__lte=F("original_fee")),
                name="doctor_fee_within_original",
                violation_error_message=_("The fee cannot be higher than the original fee."),
            ),
            models.CheckConstraint(
                condition=Q(recommend_yes__lte=F("recommend_answers"))
                & Q(baseline_yes__lte=F("baseline_answers")),
                name="doctor_recommend_yes_within_answers",
                violation_error_message=_("'Yes' answers cannot outnumber all answers."),
            ),
        ]
        indexes = [models.Index(fields=["is_active", "name"], name="doctor_active_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("doctors:detail", kwargs={"slug": self.slug})

    @property
    def years_of_experience(self) -> int:
        return max(timezone.localdate().year - self.practising_since, 0)

    @property
    def is_discounted(self) -> bool:
        return self.original_fee is not None and self.original_fee > self.fee

    @property
    def price(self) -> Price:
        """Today's price of a consultation with this doctor."""
        return Price(fee=self.fee, booking_fee=self.booking_fee, original_fee=self.original_fee)

    @property
    def recommendation(self) -> "Recommendation | None":
        """The card's recommendation figures, or None while fewer than the minimum answers exist."""
        answers = self.recommend_answers + self.baseline_answers
        if answers < settings.RECOMMEND_MIN_ANSWERS or answers == 0:
            return None
        yes = self.recommend_yes + self.baseline_yes
        return Recommendation(
            percent=round(100 * yes / answers),
            answers=answers,
            patients_floor=patients_floor(self.completed_visits + self.baseline_patients),
        )

    @property
    def photo_srcset(self) -> str:
        """`srcset` of the resized photo ("<url> 96w, <url> 176w, ..."), or "" when there is none."""
        from django.core.files.storage import default_storage

        sizes = sorted((int(width), name) for width, name in (self.photo_sizes or {}).items())
        return ", ".join(f"{default_storage.url(name)} {width}w" for width, name in sizes)

    @property
    def photo_src(self) -> str:
        """The resized photo for `src` (the middle size, sharp on a card at 2x), or "" when there is none."""
        from django.core.files.storage import default_storage

        from doctors.photos import FALLBACK_WIDTH

        name = (self.photo_sizes or {}).get(str(FALLBACK_WIDTH))
        return default_storage.url(name) if name else ""

    @property
    def short_name(self) -> str:
        """Title and surname, as a bio or a letter says it: "Dr. Kulkarni" for "Dr. Meera Kulkarni".

        The surname is the last word before any comma or bracket ("Dr. Asha Rao, MD" -> "Dr. Rao").
        A name typed without a title is returned whole ("Kiran Rao"), never as a bare surname.
        """
        title, rest = split_title(re.split(r"[,(]", self.name, maxsplit=1)[0])
        if not title or not rest:
            return self.name.strip()
        return f"{title} {rest.split()[-1]}"

    @property
    def initials(self) -> str:
        words = [w for w in self.name.replace(".", " ").split() if w.lower() not in {"dr", "prof"}]
        return "".join(w[0] for w in words[:1] + words[1:][-1:]).upper()
