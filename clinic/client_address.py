"""The one client address every throttle keys on: booking rate limits and the sign-in lockout.

`X-Forwarded-For` is read only when the direct peer (`REMOTE_ADDR`) is one of our own proxies,
listed in `settings.TRUSTED_PROXY_IPS` (addresses or CIDR ranges). Then the header is walked from
the right, skipping our proxies, and the first address that is not ours is the client: everything
to its left was written by the client or by proxies we do not run, so it could be anything. A peer
that is not a trusted proxy is the client, whatever headers it sends.

django-ipware was checked (8.0) and does not fit this rule: its trusted-proxy list is matched
against fixed positions inside the header and never against the direct peer. Addresses and ranges
are parsed by the standard library's `ipaddress`.
"""

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:  # settings.py imports this module to check TRUSTED_PROXY_IPS at start-up
    from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# One IPv6 customer gets a /64 and may pick any address inside it: throttles count the /64.
IPV6_CLIENT_PREFIX = 64


def parse_networks(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    """`["10.0.0.1", "192.168.0.0/16", "fd00::/8"]` -> networks; raises ValueError on a bad entry.

    A single address is a /32 (or /128); host bits in a range are ignored ("10.0.0.5/24" is 10.0.0.0/24).
    IPv4-mapped IPv6 entries are read as the IPv4 they carry.
    """
    networks = []
    for entry in entries:
        network = ipaddress.ip_network(entry.strip(), strict=False)
        if isinstance(network, ipaddress.IPv6Network) and network.network_address.ipv4_mapped:
            mapped = network.network_address.ipv4_mapped
            network = ipaddress.ip_network(f"{mapped}/{max(network.prefixlen - 96, 0)}", strict=False)
        networks.append(network)
    return tuple(networks)


@lru_cache(maxsize=8)
def _trusted(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return parse_networks(entries)


def parse_address(text: str) -> IPAddress | None:
    """One hop as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:443`.

    Returns None for anything else ("unknown", obfuscated names, garbage). IPv4-mapped IPv6
    addresses come back as IPv4, so a dual-stack listener and an IPv4 one give the same client.
    """
    text = text.strip().strip('"')
    if text.startswith("["):  # [v6] or [v6]:port
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # v4:port
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def _throttle_key(address: IPAddress) -> str:
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False).network_address)
    return str(address)


def client_address(request: "HttpRequest") -> str:
    """The address of the client that sent `request`, as a string, for rate limits and lockouts.

    IPv4 addresses come back as they are; an IPv6 address comes back as the first address of its
    /64 (e.g. `2001:db8:1:2::`), because one household or phone holds the whole /64. Returns ""
    when even the peer address cannot be read (a Unix socket without a proxy in front).
    Rule: SPEC 4 ("per real client address, X-Forwarded-For read only from TRUSTED_PROXY_IPS").
    """
    peer = parse_address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return ""
    trusted = _trusted(tuple(settings.TRUSTED_PROXY_IPS))
    if not trusted or not _is_trusted(peer, trusted):
        return _throttle_key(peer)
    client = peer
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = parse_address(hop)
        if address is None:  # written by something we do not run: stop at the last hop we trust
            break
        client = address
        if not _is_trusted(address, trusted):
            break
    return _throttle_key(client)
