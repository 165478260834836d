from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.core.files.uploadedfile import UploadedFile
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from doctors import photos
from doctors.models import Condition, Doctor, Language, Location, Procedure, Specialty, doctor_slug
from doctors.services import doctor_photo_clear, doctor_photo_set

admin.site.site_header = _("%(name)s administration") % {"name": settings.CLINIC_NAME}
admin.site.site_title = settings.CLINIC_NAME
admin.site.site_url = "/"


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["name", "practitioner", "also_known_as", "slug"]
    search_fields = ["name", "practitioner", "also_known_as"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "practitioner", "also_known_as", "description"]


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = ["name", "also_known_as", "slug"]
    list_filter = ["lead_specialties"]
    search_fields = ["name", "also_known_as"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "also_known_as", "lead_specialties", "description"]
    filter_horizontal = ["lead_specialties"]


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["name", "also_known_as", "slug"]
    search_fields = ["name", "also_known_as"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "also_known_as", "description"]


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "time_zone", "phone", "is_active"]
    list_filter = ["city", "is_active"]
    search_fields = ["name", "city", "address", "also_known_as"]
    prepopulated_fields = {"slug": ["name"]}


class PhotoInput(AdminFileWidget):
    """The admin's file input with the current photo shown above it (the field's one "Photo" label)."""

    template_name = "doctors/widgets/photo_input.html"  # in the app: the form renderer reads app templates

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        instance = getattr(value, "instance", None)
        context["widget"]["preview_src"] = instance.photo_src if instance is not None else ""
        context["widget"]["preview_srcset"] = instance.photo_srcset if instance is not None else ""
        return context


class DoctorAdminForm(forms.ModelForm):
    class Meta:
        model = Doctor
        fields = [
            "name",
            "slug",
            "specialty",
            "location",
            "qualifications",
            "practising_since",
            "is_active",
            "photo",
            "bio",
            "languages",
            "conditions",
            "procedures",
            "fee",
            "original_fee",
            "booking_fee",
            "baseline_yes",
            "baseline_answers",
            "baseline_patients",
            "user",
        ]
        widgets = {"photo": PhotoInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:  # a new doctor's slug may be left empty: it is made from the name
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _(
                "The doctor's page address. Left empty, it is made from the name without the title "
                "(Dr. Kiran Rao: kiran-rao)."
            )

    def clean_slug(self):
        """A new doctor's slug without the title, also when the admin's script did not run.

        Left empty, or filled in from the whole name ("dr-kiran-rao", what a prepopulated slug was before
        static/js/admin-doctor-slug.js, or without JavaScript), it becomes "kiran-rao" (issue 13, item 7).
        A slug typed by hand, and every existing doctor's slug, stay as they are: their URLs are public.
        """
        slug = self.cleaned_data.get("slug", "")
        name = self.cleaned_data.get("name", "")
        if self.instance.pk is None and name and slug in {"", slugify(name)}:
            slug = doctor_slug(name)
        if not slug:
            raise forms.ValidationError(_("Enter a slug: the name gives none."), code="required")
        return slug

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):
            photos.open_photo(photo)  # raises a ValidationError shown next to the field
        return photo


@admin.register(Doctor)
class DoctorAdmin(admin.ModelAdmin):
    form = DoctorAdminForm
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
    readonly_fields = ["recommend_yes", "recommend_answers", "completed_visits"]

    class Media:
        # Listed after urlify.js, so Django's media merge keeps it after the script it wraps: the slug
        # the admin fills in from the name leaves the title out.
        js = ["admin/js/urlify.js", "js/admin-doctor-slug.js"]

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
            {"fields": ["photo", "bio", "languages", "conditions", "procedures"]},
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

    def save_model(self, request, obj, form, change):
        """A new photo goes through `doctor_photo_set` (checked, resized once); the upload itself is never kept."""
        photo = form.cleaned_data.get("photo") if "photo" in form.changed_data else None
        if "photo" in form.changed_data:
            obj.photo = getattr(form.initial.get("photo"), "name", "") or ""
        super().save_model(request, obj, form, change)
        if isinstance(photo, UploadedFile):
            doctor_photo_set(doctor=obj, upload=photo)
        elif photo is False:
            doctor_photo_clear(doctor=obj)

    @admin.display(description=_("Photo"))
    def photo_preview(self, obj):
        if obj.photo_src:
            return format_html(
                '<img src="{}" srcset="{}" sizes="48px" alt="" width="48" height="48">',
                obj.photo_src,
                obj.photo_srcset,
            )
        return format_html('<span aria-hidden="true">{}</span>', obj.initials)

    @admin.display(description=_("Experience (years)"))
    def years_of_experience(self, obj):
        return obj.years_of_experience
