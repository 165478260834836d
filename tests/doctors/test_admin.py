"""The doctor admin: a new doctor's slug leaves the title out (issue 13, item 7)."""

import pytest
from django.urls import reverse

from doctors.models import Doctor
from tests.doctors.test_photos import admin_form_data
from tests.factories import DoctorFactory, LocationFactory, SpecialtyFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:doctors_doctor_add")


def new_doctor_data(admin_client, **fields) -> dict:
    data = admin_form_data(admin_client.get(ADD))
    return (
        data
        | {
            "name": "Dr. Kiran Rao",
            "specialty": str(SpecialtyFactory().pk),
            "location": str(LocationFactory().pk),
            "qualifications": "MBBS, MS",
            "practising_since": "2010",
            "fee": "1000",
            "booking_fee": "0",
            "is_active": "on",
        }
        | fields
    )


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("", "kiran-rao"),  # left empty (no JavaScript)
        ("dr-kiran-rao", "kiran-rao"),  # the whole name, as the admin's plain prepopulation wrote it
        ("rao-spine", "rao-spine"),  # typed by hand: kept
    ],
)
def test_a_new_doctors_slug_drops_the_title_on_save(admin_client, typed, saved):
    response = admin_client.post(ADD, new_doctor_data(admin_client, slug=typed))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Doctor.objects.get().slug == saved


def test_the_doctor_admin_fills_the_slug_with_a_script_that_drops_the_title(admin_client):
    response = admin_client.get(ADD)
    scripts = response.context["media"]._js
    assert scripts.index("admin/js/urlify.js") < scripts.index(
        "js/admin-doctor-slug.js"
    )  # after what it wraps
    assert response.context["adminform"].form.fields["slug"].required is False


def test_an_existing_doctors_slug_is_not_changed(admin_client):
    doctor = DoctorFactory(name="Dr. Old Slug", slug="dr-old-slug")
    url = reverse("admin:doctors_doctor_change", args=[doctor.pk])
    response = admin_client.post(url, admin_form_data(admin_client.get(url)) | {"bio": "Changed."})
    assert response.status_code == 302, response.context["adminform"].form.errors
    doctor.refresh_from_db()
    assert (doctor.slug, doctor.bio) == ("dr-old-slug", "Changed.")


def test_a_new_doctors_slug_that_is_taken_is_refused_next_to_the_field(admin_client):
    DoctorFactory(slug="kiran-rao")
    response = admin_client.post(ADD, new_doctor_data(admin_client, slug=""))
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert Doctor.objects.count() == 1
