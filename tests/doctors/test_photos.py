"""Doctor photos (issue 13 item 8): resized once at upload, served with width, height and srcset."""

import importlib
import io
import random

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains

from doctors import demo, photos
from doctors.models import Doctor
from doctors.services import doctor_photo_clear, doctor_photo_set
from tests.factories import DoctorFactory

pytestmark = pytest.mark.django_db


def jpeg(width=400, height=300, *, noise=False, exif_orientation=None, colours=None) -> SimpleUploadedFile:
    """A JPEG upload; `noise` makes it as large as a phone photo of that size really is."""
    image = Image.new("RGB", (width, height), "white")
    if colours:  # left half, right half
        image.paste(colours[0], (0, 0, width // 2, height))
        image.paste(colours[1], (width // 2, 0, width, height))
    if noise:
        rng = random.Random(7)
        image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    buffer = io.BytesIO()
    exif = Image.Exif()
    if exif_orientation:
        exif[0x0112] = exif_orientation
    image.save(buffer, format="JPEG", quality=95, exif=exif.tobytes())
    return SimpleUploadedFile("IMG_20261129_101500.jpg", buffer.getvalue(), content_type="image/jpeg")


def opened(name) -> Image.Image:
    with default_storage.open(name) as file:
        image = Image.open(file)
        image.load()
    return image


def test_a_phone_sized_upload_is_stored_only_as_small_square_copies(django_capture_on_commit_callbacks):
    doctor = DoctorFactory(slug="asha-rao")
    upload = jpeg(2600, 1950, noise=True)
    assert upload.size > 5 * 1024 * 1024  # a 5 MB phone photo

    with django_capture_on_commit_callbacks(execute=True):
        doctor_photo_set(doctor=doctor, upload=upload)

    doctor.refresh_from_db()
    assert sorted(doctor.photo_sizes) == ["176", "256", "96"]
    for width, name in doctor.photo_sizes.items():
        image = opened(name)
        assert (image.format, image.size) == ("WEBP", (int(width), int(width)))
        assert default_storage.size(name) < 120 * 1024
    master = opened(doctor.photo.name)
    assert master.size == (512, 512)
    assert "IMG_20261129" not in doctor.photo.name
    assert not default_storage.exists("doctors/IMG_20261129_101500.jpg")


def test_cards_and_profiles_serve_the_copies_with_size_and_srcset(client):
    doctor = DoctorFactory(name="Dr. Asha Rao", slug="asha-rao")
    doctor_photo_set(doctor=doctor, upload=jpeg())
    doctor.refresh_from_db()
    sizes = doctor.photo_sizes
    srcset = ", ".join(f"/media/{sizes[w]} {w}w" for w in ("96", "176", "256"))

    card = client.get(reverse("doctors:list"))
    assertContains(
        card,
        f'<img class="avatar" src="/media/{sizes["176"]}" srcset="{srcset}" sizes="88px" '
        'alt="Photo of Dr. Asha Rao" width="88" height="88" loading="lazy">',
        html=True,
    )
    assertNotContains(card, doctor.photo.name)  # the 512 px master never reaches a list
    profile = client.get(doctor.get_absolute_url())
    assertContains(profile, 'sizes="128px"')
    assertContains(profile, 'width="128" height="128"')


def test_a_sideways_phone_photo_is_turned_upright():
    """EXIF orientation 6: the camera was turned, the pixels were not. Left red / right blue becomes top / bottom."""
    doctor = DoctorFactory()
    doctor_photo_set(doctor=doctor, upload=jpeg(300, 100, colours=("red", "blue"), exif_orientation=6))
    image = opened(doctor.photo_sizes["96"]).convert("RGB")
    top, bottom = image.getpixel((48, 4)), image.getpixel((48, 91))
    left, right = image.getpixel((4, 48)), image.getpixel((91, 48))
    assert (top[0] > 200, top[2] < 80) == (True, True)  # red
    assert (bottom[2] > 200, bottom[0] < 80) == (True, True)  # blue
    assert left == pytest.approx(right, abs=30)


def test_a_new_photo_replaces_the_old_files_after_commit(django_capture_on_commit_callbacks):
    doctor = DoctorFactory()
    doctor_photo_set(doctor=doctor, upload=jpeg())
    old = [doctor.photo.name, *doctor.photo_sizes.values()]
    with django_capture_on_commit_callbacks(execute=True):
        doctor_photo_set(doctor=doctor, upload=jpeg(500, 500))
    assert not any(default_storage.exists(name) for name in old)
    assert all(default_storage.exists(name) for name in doctor.photo_sizes.values())


def test_clearing_the_photo_brings_back_the_initials(client, django_capture_on_commit_callbacks):
    doctor = DoctorFactory(name="Dr. Asha Rao")
    doctor_photo_set(doctor=doctor, upload=jpeg())
    names = list(doctor.photo_sizes.values())
    with django_capture_on_commit_callbacks(execute=True):
        doctor_photo_clear(doctor=doctor)
    assert not any(default_storage.exists(name) for name in names)
    assertContains(client.get(reverse("doctors:list")), ">AR</span>")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("cv.pdf", b"%PDF-1.4 not a photo"), "could not be read as a photo"),
        (SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0 truncated"), "could not be read as a photo"),
    ],
)
def test_a_file_that_is_not_a_photo_is_refused(upload, message):
    with pytest.raises(photos.ValidationError, match=message):
        photos.open_photo(upload)


def test_a_gif_is_refused_with_the_formats_named():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")
    with pytest.raises(photos.ValidationError, match="JPEG, PNG or WebP"):
        photos.open_photo(SimpleUploadedFile("a.gif", buffer.getvalue()))


def test_too_large_uploads_are_refused(monkeypatch):
    monkeypatch.setattr(photos, "MAX_PIXELS", 100)
    with pytest.raises(photos.ValidationError, match="megapixels"):
        photos.open_photo(jpeg(20, 20))
    monkeypatch.setattr(photos, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(photos.ValidationError, match="larger than 15 MB"):
        photos.open_photo(jpeg(20, 20))


def test_a_transparent_png_is_flattened_onto_white():
    buffer = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(buffer, format="PNG")
    doctor = DoctorFactory()
    doctor_photo_set(doctor=doctor, upload=SimpleUploadedFile("a.png", buffer.getvalue()))
    assert opened(doctor.photo_sizes["96"]).convert("RGB").getpixel((5, 5)) == pytest.approx(
        (255, 255, 255), abs=3
    )


# The admin ------------------------------------------------------------------------------------------


def admin_form_data(response) -> dict:
    """What the doctor's admin change form would post unchanged (fields and empty inline formsets)."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif value is not None and name != "photo":
            data[name] = str(value)
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def test_the_admin_form_shows_photo_once_with_a_preview(admin_client):
    doctor = DoctorFactory()
    doctor_photo_set(doctor=doctor, upload=jpeg())
    response = admin_client.get(reverse("admin:doctors_doctor_change", args=[doctor.pk]))
    assertContains(response, ">Photo:<", count=1)
    assertContains(response, f'src="/media/{doctor.photo_sizes["176"]}"')


def test_a_photo_uploaded_in_the_admin_is_resized_and_the_upload_not_kept(admin_client):
    doctor = DoctorFactory()
    url = reverse("admin:doctors_doctor_change", args=[doctor.pk])
    data = admin_form_data(admin_client.get(url))
    response = admin_client.post(url, {**data, "photo": jpeg(1200, 900)})
    assert response.status_code == 302, response.context["adminform"].form.errors
    doctor.refresh_from_db()
    assert sorted(doctor.photo_sizes) == ["176", "256", "96"]
    assert opened(doctor.photo.name).size == (512, 512)
    assert not default_storage.exists("doctors/IMG_20261129_101500.jpg")


def test_a_bad_file_in_the_admin_is_refused_next_to_the_field_and_nothing_changes(admin_client):
    doctor = DoctorFactory(bio="Before.")
    url = reverse("admin:doctors_doctor_change", args=[doctor.pk])
    data = admin_form_data(admin_client.get(url))
    response = admin_client.post(url, {**data, "bio": "After.", "photo": SimpleUploadedFile("x.jpg", b"no")})
    assert response.status_code == 200
    assert "photo" in response.context["adminform"].form.errors
    doctor.refresh_from_db()
    assert (doctor.bio, doctor.photo_sizes) == ("Before.", {})


def test_clearing_the_photo_in_the_admin_removes_it(admin_client):
    doctor = DoctorFactory()
    doctor_photo_set(doctor=doctor, upload=jpeg())
    url = reverse("admin:doctors_doctor_change", args=[doctor.pk])
    data = admin_form_data(admin_client.get(url))
    assert admin_client.post(url, {**data, "photo-clear": "on"}).status_code == 302
    doctor.refresh_from_db()
    assert (doctor.photo.name, doctor.photo_sizes) == ("", {})


def test_photos_uploaded_before_resizing_get_their_sizes_from_the_migration():
    from django.apps import apps

    doctor = DoctorFactory()
    doctor.photo.save("legacy.jpg", jpeg(), save=True)
    Doctor.objects.filter(pk=doctor.pk).update(photo_sizes={})
    migration = importlib.import_module("doctors.migrations.0004_search_vocabulary_and_photo_sizes")
    migration.resize_existing_photos(apps, None)
    doctor.refresh_from_db()
    assert sorted(doctor.photo_sizes) == ["176", "256", "96"]


def test_demo_doctors_keep_their_initials_avatars(client):
    demo.seed()
    assert not Doctor.objects.exclude(photo="").exists()
    assertContains(client.get(reverse("home")), "avatar--initials", count=6)
