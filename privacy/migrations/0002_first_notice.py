"""Version 1 of the privacy notice from the text the site shipped with, and consent records for the
bookings made before consent was stored (they all ticked the required box next to that text).

Version 1 takes effect on the day the oldest booking was made (today on an empty database), so
every existing booking falls inside it. See docs/decisions.md (2026-11-29, consent on record).
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from privacy.backfill import backfill_consents
from privacy.first_notice import first_notice_fields


def create_first_version(apps, schema_editor):
    PrivacyNotice = apps.get_model("privacy", "PrivacyNotice")
    Appointment = apps.get_model("appointments", "Appointment")
    if PrivacyNotice.objects.exists():
        return
    oldest = Appointment.objects.order_by("created_at").values_list("created_at", flat=True).first()
    notice = PrivacyNotice.objects.create(
        **first_notice_fields(
            clinic_name=settings.CLINIC_NAME,
            clinic_email=settings.CLINIC_EMAIL,
            clinic_phone=settings.CLINIC_PHONE,
            effective_on=timezone.localdate(oldest or timezone.now()),
        )
    )
    backfill_consents(
        Appointment=Appointment,
        Consent=apps.get_model("privacy", "Consent"),
        StatusChange=apps.get_model("appointments", "StatusChange"),
        notice_id=notice.pk,
    )


def remove_first_version(apps, schema_editor):
    apps.get_model("privacy", "Consent").objects.filter(backfilled=True).delete()
    apps.get_model("privacy", "PrivacyNotice").objects.filter(version=1, consents__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("appointments", "0005_staff_permissions"),
    ]

    operations = [migrations.RunPython(create_first_version, remove_first_version)]
