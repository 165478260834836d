import pytest
from django.contrib.auth.models import Group

from doctors.roles import CONTENT_EDITORS, DOCTORS, FRONT_DESK
from privacy.notices import notice_current
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and cached fragments live in the cache: every test starts with it empty."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _privacy_notice_after_a_flush(request):
    """Transactional tests run on a database that an earlier one flushed, data-migration rows included.
    Put version 1 of the privacy notice back first, as its migration does, so that bookings racing in
    their own transactions do not all wait on the first one creating it (docs/decisions.md)."""
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
        notice_current()


@pytest.fixture
def front_desk_user(db):
    return UserFactory(is_staff=True, groups=[Group.objects.get(name=FRONT_DESK)])


@pytest.fixture
def content_editor(db):
    return UserFactory(is_staff=True, groups=[Group.objects.get(name=CONTENT_EDITORS)])


@pytest.fixture
def make_doctor_user(db):
    """A sign-in linked to a doctor, in the "Doctors" group (not admin staff)."""

    def make(doctor):
        user = UserFactory(groups=[Group.objects.get(name=DOCTORS)])
        doctor.user = user
        doctor.save(update_fields=["user"])
        return user

    return make
