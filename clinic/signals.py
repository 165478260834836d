"""Signal receivers that bump the cache versions of clinic.versions when public data changes.

Content: every model of the `doctors` and `articles` apps (doctors, locations, specialties, the search
vocabulary, articles, categories, FAQ) and their many-to-many links, on save and delete. Availability
is bumped by appointments.signals, beside the stored next free slots. Bulk queryset writes
(`update()`, `bulk_create()`) send no signals: services that use them bump the versions themselves
(e.g. notifications.services.doctor_figures_refresh).
"""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from clinic import versions

CONTENT_APPS = ("doctors", "articles")


def _content_changed(sender, **kwargs):
    versions.bump_content()


def _links_changed(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        versions.bump_content()


def connect() -> None:
    """Connect the content receivers (called once from ClinicConfig.ready)."""
    for label in CONTENT_APPS:
        for model in apps.get_app_config(label).get_models():
            post_save.connect(
                _content_changed, sender=model, dispatch_uid=f"content-save-{model._meta.label}"
            )
            post_delete.connect(
                _content_changed, sender=model, dispatch_uid=f"content-delete-{model._meta.label}"
            )
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    _links_changed,
                    sender=field.remote_field.through,
                    dispatch_uid=f"content-links-{model._meta.label}-{field.name}",
                )
