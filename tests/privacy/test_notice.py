"""The privacy notice as versioned content: the page shows the current version and its history,
versions are numbered and dated by the service, and a version in effect cannot change."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from privacy.models import PrivacyNotice
from privacy.notices import notice_current, notice_publish, notice_timeline
from tests.privacy.conftest import NOW

pytestmark = pytest.mark.django_db


def publish(effective_on, body="## New section\n\nWe now keep visits for three years.", summary="Retention"):
    return notice_publish(
        notice=PrivacyNotice(effective_on=effective_on, summary=summary, body=body), by=None, now=NOW
    )


def test_the_migration_made_version_1_from_the_shipped_text(settings):
    notice = PrivacyNotice.objects.get()
    assert notice.version == 1
    assert settings.CLINIC_NAME in notice.body
    assert settings.CLINIC_EMAIL in notice.body
    assert "<h2" in notice.body_html
    assert "What we never do" in notice.body_html
    assert "<script" not in notice.body_html


def test_the_page_shows_the_current_version_an_announced_one_and_the_history(client, first, clock):
    publish(date(2026, 11, 30))
    response = client.get(reverse("privacy"))
    assertContains(response, "Version 1, in effect since 1 November 2026.")
    assertContains(response, "Version 2 takes effect on 30 November 2026.")
    assertContains(response, "What we never do")  # version 1's text is the one shown
    assertNotContains(response, "We now keep visits for three years")

    clock.move_to(NOW + timedelta(days=8))  # 1 December: version 2 is in effect
    response = client.get(reverse("privacy"))
    assertContains(response, "Version 2, in effect since 30 November 2026.")
    assertContains(response, "We now keep visits for three years")
    assertContains(response, "1 November 2026 to 30 November 2026")  # version 1 in the history
    assertContains(response, f'href="{reverse("privacy:notice-version", args=[1])}"')


def test_an_earlier_version_keeps_its_own_page(client, first, clock):
    publish(date(2026, 11, 30))
    clock.move_to(NOW + timedelta(days=8))
    response = client.get(reverse("privacy:notice-version", args=[1]))
    assertContains(response, "In effect from 1 November 2026 to 30 November 2026.")
    assertContains(response, "What we never do")
    assert client.get(reverse("privacy:notice-version", args=[99])).status_code == 404


def test_versions_are_numbered_in_order_and_only_take_effect_from_today(first):
    assert publish(date(2026, 11, 23)).version == 2  # today is allowed
    assert publish(date(2026, 12, 5)).version == 3
    with pytest.raises(ValidationError, match="cannot take effect in the past"):
        publish(date(2026, 11, 22))
    with pytest.raises(ValidationError, match="takes effect on 05 December 2026"):
        publish(date(2026, 12, 4))  # before version 3, which it would follow
    assert list(PrivacyNotice.objects.values_list("version", flat=True)) == [3, 2, 1]


def test_bookings_agree_to_the_newest_version_whose_day_has_come(first, clock):
    publish(date(2026, 11, 24))
    assert notice_current(now=NOW).version == 1
    clock.move_to(NOW + timedelta(days=1))
    assert notice_current().version == 2


def test_a_database_that_lost_every_version_gets_version_1_back(clock):
    PrivacyNotice.objects.all().delete()
    assert notice_current().version == 1
    assert notice_timeline().current.version == 1
    assert PrivacyNotice.objects.count() == 1


def test_the_pages_cost_the_same_queries_with_1_or_12_versions(client, first, clock):
    def cost():
        counts = []
        for url in (reverse("privacy"), reverse("privacy:notice-version", args=[1])):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    few = cost()
    for day in range(11):
        publish(date(2026, 11, 24) + timedelta(days=day))
    clock.move_to(NOW + timedelta(days=20))
    assert cost() == few


# Admin -------------------------------------------------------------------------------------------


def test_an_admin_adds_a_version_and_the_service_numbers_and_renders_it(admin_client, first):
    response = admin_client.post(
        reverse("admin:privacy_privacynotice_add"),
        {"effective_on": "2026-12-01", "summary": "Retention", "body": "## Keeping\n\nThree **years**."},
    )
    assert response.status_code == 302, response.content
    added = PrivacyNotice.objects.get(version=2)
    assert added.body_html == '<h2 id="keeping">Keeping</h2>\n<p>Three <strong>years</strong>.</p>'


def test_the_admin_refuses_a_date_in_the_past_next_to_the_field(admin_client, first):
    response = admin_client.post(
        reverse("admin:privacy_privacynotice_add"),
        {"effective_on": "2026-11-20", "summary": "", "body": "Text"},
    )
    assert response.status_code == 200
    assert "cannot take effect in the past" in response.context["adminform"].form.errors["effective_on"][0]
    assert PrivacyNotice.objects.count() == 1


def test_a_version_in_effect_cannot_be_edited_or_deleted_in_the_admin(admin_client, first):
    change = reverse("admin:privacy_privacynotice_change", args=[first.pk])
    response = admin_client.post(change, {"effective_on": "2026-12-01", "summary": "x", "body": "Changed"})
    assert response.status_code == 403
    assert admin_client.get(change).status_code == 200  # still readable
    assert (
        admin_client.post(reverse("admin:privacy_privacynotice_delete", args=[first.pk])).status_code == 403
    )
    first.refresh_from_db()
    assert "What we never do" in first.body


def test_a_version_not_yet_in_effect_can_still_be_corrected(admin_client, first):
    announced = publish(date(2026, 12, 1))
    change = reverse("admin:privacy_privacynotice_change", args=[announced.pk])
    response = admin_client.post(
        change, {"effective_on": "2026-12-02", "summary": "Fixed", "body": "Typo *fixed*"}
    )
    assert response.status_code == 302
    announced.refresh_from_db()
    assert (announced.version, announced.effective_on, announced.body_html) == (
        2,
        date(2026, 12, 2),
        "<p>Typo <em>fixed</em></p>",
    )
