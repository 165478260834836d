import pytest
from django.contrib.auth.models import Group

from doctors.roles import CONTENT_EDITORS, DOCTORS, FRONT_DESK
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and cached fragments live in the cache: every test starts with it empty."""
    from django.core.cache import cache

    cache.clear()


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
