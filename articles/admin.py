from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from articles.models import FAQ, Article, ArticleStatus, Category
from articles.services import article_render


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class FAQInline(admin.StackedInline):
    model = FAQ
    extra = 1
    fields = ["order", "question", "answer"]


class ArticleAdminForm(forms.ModelForm):
    """Reviewer ≠ author is the model's check constraint; full_clean reports it on the form."""

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "summary",
            "category",
            "body",
            "author",
            "reviewer",
            "updated_on",
            "last_reviewed_on",
            "status",
            "published_at",
            "specialties",
            "conditions",
            "hero_image",
            "hero_image_alt",
        ]

    def clean_updated_on(self):
        """An editorial date, so never one still to come (issue 13, item 7)."""
        updated_on = self.cleaned_data["updated_on"]
        if updated_on > timezone.localdate():
            raise forms.ValidationError(_("The last update cannot be in the future."))
        return updated_on

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == ArticleStatus.PUBLISHED and not cleaned.get("published_at"):
            cleaned["published_at"] = timezone.now()
        return cleaned


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    inlines = [FAQInline]
    list_display = [
        "title",
        "category",
        "status",
        "published_at",
        "author",
        "reviewer",
        "last_reviewed_on",
        "review_overdue",
        "preview_link",
    ]
    list_filter = ["status", "category", "author"]
    list_select_related = ["category", "author", "reviewer"]
    search_fields = ["title", "summary", "author__name", "reviewer__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author", "reviewer"]
    filter_horizontal = ["specialties", "conditions"]
    date_hierarchy = "published_at"
    readonly_fields = ["preview_link", "reading_minutes", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "category", "body"]}),
        (_("Doctors"), {"fields": ["author", "reviewer", "updated_on", "last_reviewed_on"]}),
        (
            _("Publishing"),
            {"fields": ["status", "published_at", "preview_link", "reading_minutes", "updated_at"]},
        ),
        (_("Related"), {"fields": ["specialties", "conditions"]}),
        (_("Hero image"), {"fields": ["hero_image", "hero_image_alt"], "classes": ["collapse"]}),
    ]

    def save_model(self, request, obj, form, change):
        article_render(article=obj)
        super().save_model(request, obj, form, change)

    @admin.display(boolean=True, description=_("Review overdue"))
    def review_overdue(self, obj):
        return obj.is_review_overdue

    @admin.display(description=_("Preview"))
    def preview_link(self, obj):
        if not obj.pk:
            return _("Save the article to preview it.")
        label = _("View on site") if obj.is_published else _("Preview draft")
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), label
        )
