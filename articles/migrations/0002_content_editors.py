"""Let the "Content editors" group write and publish articles in the admin (SPEC 2)."""

from django.db import migrations

from doctors.roles import CONTENT_EDITORS, grant

PERMISSIONS = {
    CONTENT_EDITORS: [
        f"articles.{action}_{model}"
        for model in ("article", "faq", "category")
        for action in ("add", "change", "delete", "view")
    ]
}


def grant_permissions(apps, schema_editor):
    grant(apps, PERMISSIONS)


def revoke_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=CONTENT_EDITORS).first()
    if group:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="articles"))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("doctors", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant_permissions, revoke_permissions)]
