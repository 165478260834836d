from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from doctors.models import Condition, Doctor, Language, Location, Procedure, Specialty

admin.site.site_header = _("%(name)s administration") % {"name": settings.CLINIC_NAME}
admin.site.site_title = settings.CLINIC_NAME
admin.site.site_url = "/"


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Condition, Procedure)
class ConditionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "time_zone", "phone", "is_active"]
    list_filter = ["city", "is_active"]
    search_fields = ["name", "city", "address"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Doctor)
class DoctorAdmin(admin.ModelAdmin):
    list_display = [
        "photo_preview",
        "name",
        "specialty",
        "location",
        "fee",
        "years_of_experience",
        "is_active",
    ]
    list_display_links = ["photo_preview", "name"]
    list_filter = ["specialty", "location", "is_active", "languages"]
    list_select_related = ["specialty", "location"]
    search_fields = ["name", "qualifications", "specialty__name", "location__name", "location__city"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    filter_horizontal = ["languages", "conditions", "procedures"]
    readonly_fields = ["photo_preview", "recommend_yes", "recommend_answers", "completed_visits"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "specialty",
                    "location",
                    "qualifications",
                    "practising_since",
                    "is_active",
                ]
            },
        ),
        (
            _("Profile"),
            {"fields": ["photo", "photo_preview", "bio", "languages", "conditions", "procedures"]},
        ),
        (_("Fees"), {"fields": ["fee", "original_fee", "booking_fee"]}),
        (
            _("Recommendation figures"),
            {
                "fields": [
                    ("recommend_yes", "recommend_answers", "completed_visits"),
                    ("baseline_yes", "baseline_answers", "baseline_patients"),
                ],
                "description": _(
                    "Verified figures count answers from completed visits and are kept up to date "
                    "automatically. Enter an imported baseline only from verified earlier records."
                ),
            },
        ),
        (_("Staff account"), {"fields": ["user"]}),
    ]

    @admin.display(description=_("Photo"))
    def photo_preview(self, obj):
        if obj.photo:
            return format_html(
                '<img src="{}" alt="" width="48" height="48">',
                obj.photo.url,
            )
        return format_html('<span aria-hidden="true">{}</span>', obj.initials)

    @admin.display(description=_("Experience (years)"))
    def years_of_experience(self, obj):
        return obj.years_of_experience
