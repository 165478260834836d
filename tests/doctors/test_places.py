"""Places (issue 13 item 6): the clinics list, the city filter when booking, and addresses."""

import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from appointments.links import manage_url
from tests.factories import AppointmentFactory, DoctorFactory, LocationFactory, SpecialtyFactory

pytestmark = pytest.mark.django_db

LOCATIONS = reverse("doctors:locations")
BOOK = reverse("appointments:start")


def test_the_clinics_page_lists_open_clinics_by_city_with_their_doctors(client):
    whitefield = LocationFactory(name="Whitefield clinic", city="Bengaluru", address="48 ITPL Main Road")
    pune = LocationFactory(name="Koregaon Park clinic", city="Pune", phone="+912066001234")
    LocationFactory(name="Closed clinic", is_active=False)
    DoctorFactory.create_batch(2, location=whitefield)
    DoctorFactory(location=whitefield, is_active=False)
    DoctorFactory(location=pune)

    response = client.get(LOCATIONS)

    assert response.status_code == 200
    assert [location.name for location in response.context["location_list"]] == [
        "Whitefield clinic",
        "Koregaon Park clinic",
    ]
    assertNotContains(response, "Closed clinic")
    assertContains(response, "2 doctors see patients here")
    assertContains(response, "1 doctor sees patients here")
    assertContains(response, '<h2 class="h4" id="city-1">Bengaluru</h2>', html=False)
    assertContains(response, 'href="tel:+91-20-6600-1234"')
    assertContains(response, f'href="{whitefield.get_absolute_url()}"')


def test_every_page_header_links_to_the_clinics(client):
    response = client.get(reverse("home"))
    assertContains(response, f'<a href="{LOCATIONS}">Locations</a>', html=True)
    assertContains(
        client.get(LOCATIONS), f'<a href="{LOCATIONS}" aria-current="page">Locations</a>', html=True
    )
    assertContains(
        client.get(reverse("doctors:list")), '<a href="/doctors/" aria-current="page">Doctors</a>', html=True
    )


def test_booking_starts_filtered_by_city_and_specialty(client):
    spine = SpecialtyFactory(slug="spine")
    pune = LocationFactory(city="Pune")
    DoctorFactory(name="Dr. Pune Spine", specialty=spine, location=pune)
    DoctorFactory(name="Dr. Pune Other", location=pune)
    DoctorFactory(name="Dr. Bengaluru Spine", specialty=spine)

    def names(**params):
        return [d.name for d in client.get(BOOK, params).context["doctor_list"]]

    assert sorted(names(city="Pune")) == ["Dr. Pune Other", "Dr. Pune Spine"]
    assert names(city="Pune", specialty="spine") == ["Dr. Pune Spine"]
    assertContains(client.get(BOOK), '<option value="Pune">Pune</option>', html=True)


def test_an_unknown_city_when_booking_is_reported_and_the_other_filter_still_applies(client):
    spine = SpecialtyFactory(slug="spine")
    DoctorFactory(name="Dr. Spine", specialty=spine)
    DoctorFactory(name="Dr. Other")
    response = client.get(BOOK, {"city": "Atlantis", "specialty": "spine"})
    assert response.status_code == 200
    assert [d.name for d in response.context["doctor_list"]] == ["Dr. Spine"]
    assertContains(response, "Select a valid choice")


@pytest.mark.parametrize(
    ("address", "city", "lines"),
    [
        (
            "12 Residency Road, Shanthala Nagar\nBengaluru 560025",
            "Bengaluru",
            ["12 Residency Road, Shanthala Nagar", "Bengaluru 560025"],
        ),
        ("12 Residency Road\nbengaluru 560025", "Bengaluru", ["12 Residency Road", "bengaluru 560025"]),
        ("7 North Main Road\nKoregaon Park", "Pune", ["7 North Main Road", "Koregaon Park", "Pune"]),
        ("1 Puneet Street", "Pune", ["1 Puneet Street", "Pune"]),  # a word that merely starts with the city
    ],
)
def test_an_address_names_its_city_once(address, city, lines):
    location = LocationFactory.build(address=address, city=city)
    assert location.address_lines == lines
    assert location.postal_address == ", ".join(lines)


def _address_blocks(response) -> list[str]:
    return re.findall(r"<address[^>]*>(.*?)</address>", response.content.decode(), re.S)


def test_pages_print_a_clinic_address_with_its_city_once(client):
    location = LocationFactory(
        address="12 Residency Road, Shanthala Nagar\nBengaluru 560025", city="Bengaluru"
    )
    doctor = DoctorFactory(location=location)
    appointment = AppointmentFactory(doctor=doctor)
    for url in [location.get_absolute_url(), doctor.get_absolute_url(), LOCATIONS, manage_url(appointment)]:
        blocks = [block for block in _address_blocks(client.get(url)) if "Residency Road" in block]
        assert blocks, url
        assert all(block.count("Bengaluru") == 1 for block in blocks), (url, blocks)
