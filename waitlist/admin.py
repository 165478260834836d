"""Admin: the waitlist, read-only (waiters join on the site; offers are made by the services)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from clinic.wallclock import wall_clock
from waitlist.models import WaitlistEntry, WaitlistOffer


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ReadOnly):
    list_display = ["patient_name", "doctor", "not_after", "part_of_day", "status", "joined"]
    list_filter = ["status", "part_of_day", "doctor"]
    list_select_related = ["doctor__location"]
    search_fields = ["patient_name", "patient_email"]
    fields = [
        "doctor",
        "appointment",
        "patient_name",
        "patient_phone",
        "patient_email",
        "not_after",
        "part_of_day",
        "status",
        "joined",
    ]
    readonly_fields = fields

    @admin.display(description=_("joined at"), ordering="created_at")
    def joined(self, obj):
        return wall_clock(obj.created_at, obj.doctor.location).format("medium")


@admin.register(WaitlistOffer)
class WaitlistOfferAdmin(ReadOnly):
    list_display = ["time", "doctor", "entry", "state", "held_until"]
    list_filter = ["state", "doctor"]
    list_select_related = ["doctor", "location", "entry"]
    fields = ["doctor", "entry", "time", "state", "held_until", "offered"]
    readonly_fields = fields

    @admin.display(description=_("time"), ordering="starts_at")
    def time(self, obj):
        return wall_clock(obj).format("medium")

    @admin.display(description=_("held until"))
    def held_until(self, obj):
        return wall_clock(obj.expires_at, obj).format("time")

    @admin.display(description=_("offered at"), ordering="created_at")
    def offered(self, obj):
        return wall_clock(obj.created_at, obj).format("medium")
