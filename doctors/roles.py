"""The staff roles (SPEC 2) as groups, and the helper data migrations use to grant them permissions."""

from django.contrib.auth.management import create_permissions

FRONT_DESK = "Front desk"
DOCTORS = "Doctors"
CONTENT_EDITORS = "Content editors"
PRIVACY_OFFICERS = "Privacy officers"


def grant(apps, permissions: dict[str, list[str]]) -> None:
    """Add "app_label.codename" permissions to the named groups, creating groups as needed.

    Meant for RunPython: permissions normally appear after migrate finishes, so create them first.
    """
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, labels in permissions.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for label in labels:
            app_label, codename = label.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
