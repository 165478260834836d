"""Named version counters in the shared cache: what cached public pages are checked against.

Two kinds (docs/decisions.md, "Public page cache"; issue 14, design items 0 and 1):

- the **content** version, bumped when doctors, locations, specialties, the search vocabulary or
  articles change (anything a public page shows that is not availability);
- one **availability** version per doctor, bumped when a booking, cancel, reschedule, status change,
  time off, working hours or slot length of that doctor changes; and the **any availability**
  version, bumped with every one of them, for pages whose choice of doctors depends on everybody's
  availability (a list filtered "available today" or sorted by soonest).

A bump happens twice: at once (so a test's or a long transaction's own next read sees it) and again
after the transaction commits (so a page rendered by another process between the first bump and the
commit, from the data still committed before, is not kept under the new number). Versions live in
the shared cache (Redis in production), so every app server sees the same numbers. A counter that
is missing (never bumped, or evicted) is created with a fresh, time-based value before a page is
stored against it, so a counter that disappears never brings an old page back.
"""

import time
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

CONTENT = "v:content"
ANY_AVAILABILITY = "v:avail:*"
# Counters outlive any cached page (pages expire within a day, PAGE_CACHE_SECONDS).
VERSION_TIMEOUT = 60 * 60 * 24 * 7


def availability_key(doctor_id: int) -> str:
    """The cache key of one doctor's availability version (`doctor_id`: a Doctor primary key)."""
    return f"v:avail:{doctor_id}"


def _fresh() -> int:
    return time.time_ns()


def _bump_now(keys: Iterable[str]) -> None:
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:  # missing: start a new, never-seen number
            if not cache.add(key, _fresh(), VERSION_TIMEOUT):
                cache.incr(key)


def bump(keys: Iterable[str]) -> None:
    """Bump the counters `keys` now and again when the current transaction commits.

    Outside a transaction the second bump follows at once. Raises nothing the cache does not raise.
    """
    keys = tuple(keys)
    _bump_now(keys)
    transaction.on_commit(lambda: _bump_now(keys))


def bump_content() -> None:
    """Something every public page may show changed (doctor, location, vocabulary, article)."""
    bump([CONTENT])


def bump_availability(doctor_ids: Iterable[int]) -> None:
    """The free times of these doctors (Doctor primary keys) may have changed."""
    bump([*(availability_key(pk) for pk in set(doctor_ids)), ANY_AVAILABILITY])


def current(keys: Iterable[str]) -> dict[str, int]:
    """{key: version} for `keys`, in one `get_many`; a missing counter is created first.

    Used when a page is stored: every counter it depends on then has a value that a later bump or
    an eviction changes.
    """
    keys = list(keys)
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, _fresh(), VERSION_TIMEOUT)
            found[key] = cache.get(key)
    return found
