"""The one client-address function: X-Forwarded-For only from our proxies, right-most untrusted hop."""

import pytest
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from clinic.client_address import client_address
from tests.clinic.test_settings import run_manage

TRUSTED = ["10.0.0.0/8", "192.0.2.10", "fd00::/8"]


def address(settings, peer, forwarded=None, trusted=TRUSTED):
    settings.TRUSTED_PROXY_IPS = trusted
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        # Not one of our proxies: the peer is the client, whatever it claims.
        ("203.0.113.5", "198.51.100.1", "203.0.113.5"),
        ("192.0.2.11", "198.51.100.1", "192.0.2.11"),  # a single address is not a range
        # Our proxy: the right-most address that is not ours.
        ("10.0.0.1", "198.51.100.1", "198.51.100.1"),
        ("192.0.2.10", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.1", "1.1.1.1, 2.2.2.2, 198.51.100.1", "198.51.100.1"),
        ("10.0.0.1", "1.1.1.1, 198.51.100.1, 10.2.3.4", "198.51.100.1"),
        ("10.0.0.1", "198.51.100.1:51234", "198.51.100.1"),  # with a port
        ("10.0.0.1", " 198.51.100.1 ,10.2.3.4 ", "198.51.100.1"),  # stray spaces
        # Nothing usable beyond our proxies: the last address we trust.
        ("10.0.0.1", "", "10.0.0.1"),
        ("10.0.0.1", "unknown", "10.0.0.1"),
        ("10.0.0.1", "unknown, 10.2.3.4", "10.2.3.4"),
        # IPv6: one client per /64; IPv4-mapped addresses are their IPv4.
        ("2001:db8:1:2::77", None, "2001:db8:1:2::"),
        ("10.0.0.1", "[2001:db8:1:2:aaaa::1]:443", "2001:db8:1:2::"),
        ("fd00::1", "2001:db8:9:9::1", "2001:db8:9:9::"),
        ("::ffff:10.0.0.1", "198.51.100.1", "198.51.100.1"),
        ("::ffff:203.0.113.5", None, "203.0.113.5"),
        # No readable peer (a Unix socket with nothing in front).
        ("", "198.51.100.1", ""),
    ],
)
def test_the_client_is_the_right_most_address_not_ours(settings, peer, forwarded, expected):
    assert address(settings, peer, forwarded) == expected


def test_without_trusted_proxies_the_header_is_never_read(settings):
    assert address(settings, "10.0.0.1", "198.51.100.1", trusted=[]) == "10.0.0.1"


def test_two_addresses_of_one_ipv6_64_are_one_client_and_other_64s_are_not(settings):
    first = address(settings, "2001:db8:1:2::1")
    assert first == address(settings, "2001:db8:1:2:ffff:ffff:ffff:ffff")
    assert first != address(settings, "2001:db8:1:3::1")


def test_axes_uses_the_same_client_address(settings):
    settings.TRUSTED_PROXY_IPS = TRUSTED
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1")
    assert get_client_ip_address(request) == client_address(request) == "198.51.100.1"


@pytest.mark.django_db
def test_a_failed_sign_in_behind_our_proxy_is_recorded_for_the_real_client(client, settings):
    settings.TRUSTED_PROXY_IPS = TRUSTED
    client.post(
        reverse("staff:login"),
        {"username": "someone", "password": "wrong"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1",
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.1"]


def test_a_malformed_trusted_proxy_list_stops_start_up():
    result = run_manage("check", DJANGO_DEBUG="1", TRUSTED_PROXY_IPS="10.0.0.0/8, 10.0.0.0/33")
    assert result.returncode != 0
    assert "TRUSTED_PROXY_IPS" in result.stderr
