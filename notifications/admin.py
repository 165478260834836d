"""Admin: the message ledger (failed sends filterable), feedback moderation, ledger on appointments."""

from django.contrib import admin, messages
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from appointments.models import Appointment
from clinic.wallclock import wall_clock
from notifications.models import Feedback, Message
from notifications.services import doctor_figures_refresh, message_retry


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["appointment_reference", "kind", "state", "due", "attempts", "sent", "short_error"]
    list_filter = ["state", "kind", "channel"]
    list_select_related = ["appointment__location"]
    search_fields = ["appointment__reference"]
    date_hierarchy = "due_at"
    readonly_fields = [
        "appointment",
        "kind",
        "channel",
        "due",
        "planned_for_local",
        "state",
        "attempts",
        "last_error",
        "recipient",
        "sent",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields  # the raw instants (server zone) stay off the page; their local forms show
    actions = ["retry_failed"]

    def has_add_permission(self, request):
        return False  # rows are planned by the booking services, never by hand

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Appointment"), ordering="appointment__reference")
    def appointment_reference(self, obj):
        return obj.appointment.reference

    # Message times on the wall clock of the appointment's location, like every other time it shows.
    @admin.display(description=_("due at"), ordering="due_at")
    def due(self, obj):
        return wall_clock(obj.due_at, obj.appointment).format("medium")

    @admin.display(description=_("sent at"), ordering="sent_at")
    def sent(self, obj):
        return wall_clock(obj.sent_at, obj.appointment).format("medium") if obj.sent_at else "–"

    @admin.display(description=_("planned for"))
    def planned_for_local(self, obj):
        return wall_clock(obj.planned_for, obj.appointment).format("medium")

    @admin.display(description=_("Last error"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.action(description=_("Retry the selected failed messages"), permissions=["view"])
    def retry_failed(self, request, queryset):
        retried = sum(message_retry(message=message) for message in queryset)
        self.message_user(
            request,
            ngettext("%d message queued again.", "%d messages queued again.", retried) % retried,
            messages.SUCCESS,
        )


# The appointments app owns its admin; the ledger joins its change page from here, on top of whatever
# class is registered (notifications comes after appointments in INSTALLED_APPS, so that is theirs).
# A read-only field rather than an inline: an inline adds a formset every admin POST must carry.
_appointment_admin = type(admin.site.get_model_admin(Appointment))
admin.site.unregister(Appointment)


@admin.register(Appointment)
class AppointmentWithMessagesAdmin(_appointment_admin):
    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.append((_("Emails to the patient"), {"fields": ["message_ledger"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "message_ledger"]

    @admin.display(description=_("Emails"))
    def message_ledger(self, obj):
        messages = Message.objects.for_appointment(obj) if obj and obj.pk else []
        return render_to_string("notifications/includes/message_list.html", {"messages": messages})


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = [
        "appointment",
        "doctor",
        "would_recommend",
        "has_comment",
        "comment_approved",
        "created_at",
    ]
    list_filter = ["would_recommend", "comment_approved", "appointment__doctor"]
    list_select_related = ["appointment__doctor", "appointment__location"]
    search_fields = ["appointment__reference", "comment"]
    readonly_fields = ["appointment", "would_recommend", "comment", "created_at"]
    fields = ["appointment", "would_recommend", "comment", "comment_approved", "created_at"]
    actions = ["approve_comments", "withdraw_comments"]

    def has_add_permission(self, request):
        return False  # answers come from patients' private links only

    @admin.display(description=_("Doctor"), ordering="appointment__doctor__name")
    def doctor(self, obj):
        return obj.appointment.doctor

    @admin.display(description=_("Comment"), boolean=True)
    def has_comment(self, obj):
        return bool(obj.comment)

    @admin.action(description=_("Approve the selected comments"))
    def approve_comments(self, request, queryset):
        queryset.update(comment_approved=True)

    @admin.action(description=_("Withdraw approval of the selected comments"))
    def withdraw_comments(self, request, queryset):
        queryset.update(comment_approved=False)

    @transaction.atomic
    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        doctor_figures_refresh(doctor_id=obj.appointment.doctor_id)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        doctor_ids = set(queryset.values_list("appointment__doctor_id", flat=True))
        super().delete_queryset(request, queryset)
        for doctor_id in doctor_ids:
            doctor_figures_refresh(doctor_id=doctor_id)
