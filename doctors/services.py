"""Writes to the doctors app that do more than save one row: a doctor's photo and its resized copies."""

from django.core.files.storage import default_storage
from django.db import transaction

from doctors import photos
from doctors.models import Doctor


def _old_files(doctor: Doctor) -> list[str]:
    names = list((doctor.photo_sizes or {}).values())
    if doctor.photo:
        names.append(doctor.photo.name)
    return names


def _delete_later(names: list[str]) -> None:
    """Remove replaced files once the new row is committed (a rolled-back change keeps the old ones)."""

    def delete():
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(delete, robust=True)


@transaction.atomic
def doctor_photo_set(*, doctor: Doctor, upload) -> Doctor:
    """Give `doctor` a new photo: checked, cropped square and resized once (doctors/photos.py).

    `upload` is a file-like object (an UploadedFile from a form). Raises ValidationError when it is not
    a usable photo, before anything is written. The previous photo's files are deleted after commit.
    """
    image = photos.open_photo(upload)
    old = _old_files(doctor)
    master, sizes = photos.store(default_storage, doctor.slug or "doctor", image)
    doctor.photo.name = master
    doctor.photo_sizes = sizes
    doctor.save(update_fields=["photo", "photo_sizes", "updated_at"])
    _delete_later(old)
    return doctor


@transaction.atomic
def doctor_photo_clear(*, doctor: Doctor) -> Doctor:
    """Remove `doctor`'s photo (the card shows initials again) and, after commit, its files."""
    old = _old_files(doctor)
    doctor.photo = ""
    doctor.photo_sizes = {}
    doctor.save(update_fields=["photo", "photo_sizes", "updated_at"])
    _delete_later(old)
    return doctor
