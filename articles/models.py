"""What to read: doctor-written, medically reviewed articles, their categories and FAQ entries.

This app imports `doctors`; `doctors` never imports it at model level (STYLE §1a).
"""

import datetime

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REVIEW_INTERVAL_MONTHS = 12


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:category", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ArticleStatus.PUBLISHED, published_at__lte=timezone.now())

    def for_list(self):
        """Everything an article teaser shows, in one query, without the heavy body columns."""
        return self.select_related("category", "author", "reviewer").defer(
            "body", "body_html", "toc", "author__bio", "reviewer__bio"
        )

    def involving(self, doctor):
        """Articles the doctor wrote or reviewed."""
        return self.filter(Q(author=doctor) | Q(reviewer=doctor))

    def newest_first(self):
        return self.order_by("-published_at", "-pk")


class Article(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.TextField(
        _("summary"), max_length=400, help_text=_("One or two sentences shown in lists and search results.")
    )
    body = models.TextField(
        _("body"), help_text=_("Markdown. Use ## for sections: they become the table of contents.")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("category")
    )
    author = models.ForeignKey(
        "doctors.Doctor",
        on_delete=models.PROTECT,
        related_name="articles_written",
        verbose_name=_("written by"),
    )
    reviewer = models.ForeignKey(
        "doctors.Doctor",
        on_delete=models.PROTECT,
        related_name="articles_reviewed",
        verbose_name=_("medically reviewed by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ArticleStatus, default=ArticleStatus.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        _("published"), null=True, blank=True, help_text=_("Left empty, publishing sets it to now.")
    )
    updated_on = models.DateField(
        _("last updated on"),
        default=timezone.localdate,
        help_text=_(
            "The date of the last change readers should know about (new advice, new facts), shown as "
            "“Last updated on”. Saving a typo fix need not change it. Normally no later than the last review."
        ),
    )
    last_reviewed_on = models.DateField(
        _("last reviewed on"),
        default=timezone.localdate,
        help_text=_("A “review overdue” notice shows 12 months after this date."),
    )
    specialties = models.ManyToManyField(
        "doctors.Specialty", related_name="articles", blank=True, verbose_name=_("related specialties")
    )
    conditions = models.ManyToManyField(
        "doctors.Condition", related_name="articles", blank=True, verbose_name=_("related conditions")
    )
    hero_image = models.ImageField(
        _("hero image"),
        upload_to="articles/",
        blank=True,
        width_field="hero_image_width",
        height_field="hero_image_height",
    )
    hero_image_width = models.PositiveIntegerField(editable=False, null=True)
    hero_image_height = models.PositiveIntegerField(editable=False, null=True)
    hero_image_alt = models.CharField(
        _("hero image text alternative"),
        max_length=200,
        blank=True,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    # The stored rendering of `body` (see articles/rendering.py and services.article_render).
    body_html = models.TextField(editable=False, default="")
    toc = models.JSONField(editable=False, default=list)
    reading_minutes = models.PositiveSmallIntegerField(editable=False, default=1)
    rendered_fingerprint = models.CharField(editable=False, max_length=64, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    # When the row was last saved (feeds, sitemaps, caches); what readers see is the editorial `updated_on`.
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reviewer=F("author")),
                name="article_reviewer_not_author",
                violation_error_message=_("The reviewer must be a different doctor from the author."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ArticleStatus.values),
                name="article_status_valid",
                violation_error_message=_("Unknown article status."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ArticleStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="article_published_has_date",
                violation_error_message=_("A published article needs a publication date."),
            ),
            models.CheckConstraint(
                condition=Q(hero_image="") | ~Q(hero_image_alt=""),
                name="article_hero_image_has_alt",
                violation_error_message=_("Describe the hero image in its text alternative."),
            ),
        ]
        indexes = [models.Index(fields=["status", "-published_at"], name="article_status_published")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return (
            self.status == ArticleStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def review_due_on(self) -> datetime.date:
        reviewed = self.last_reviewed_on
        year, month = divmod(reviewed.month - 1 + REVIEW_INTERVAL_MONTHS, 12)
        year, month = reviewed.year + year, month + 1
        for day in (reviewed.day, 30, 29, 28):  # 29 February and friends fall back to the month's end
            try:
                return datetime.date(year, month, day)
            except ValueError:
                continue
        raise AssertionError("unreachable")

    @property
    def is_review_overdue(self) -> bool:
        return timezone.localdate() > self.review_due_on


class FAQ(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="faqs")
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"), help_text=_("Plain text; blank lines separate paragraphs."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")

    def __str__(self):
        return self.question
