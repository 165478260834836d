"""Fixed-window rate limits on patient POSTs (booking, cancel, reschedule, feedback ...), in the cache.

Two counters per scope and client address (`clinic.client_address`), each for one hour:

- attempts: every POST, limited generously (`BOOKING_ATTEMPT_LIMIT`), so a script hammering the
  form is stopped but a patient fighting a validation error is not;
- writes: POSTs that did something (the view answered below 400: a booking, a cancel, a sent link),
  limited tightly (`BOOKING_RATE_LIMIT`).

A POST is refused with a 429 page when either allowance is used up. With REDIS_URL set the counters
live in Redis, so the limits hold across every app server. Decision: docs/decisions.md (2026-11-29).
"""

import math
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from clinic.client_address import client_address

WINDOW_SECONDS = 3600


def _window() -> tuple[int, int]:
    """(window number, seconds until it ends) for the current time."""
    now = time.time()
    return int(now // WINDOW_SECONDS), math.ceil(WINDOW_SECONDS - now % WINDOW_SECONDS)


def _key(scope: str, counter: str, client: str, window: int) -> str:
    return f"ratelimit:{scope}:{counter}:{client}:{window}"


def _hit(key: str) -> int:
    """Add one to a window counter; returns the new count."""
    cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 60)
        return 1


def over_limit(request, scope: str) -> bool:
    """Count this POST as an attempt; True when the client's attempts or writes are used up.

    `scope` names the family of forms ("booking", "feedback"): each has its own counters.
    """
    window, _ = _window()
    client = client_address(request)
    attempts = _hit(_key(scope, "attempts", client, window))
    writes = cache.get(_key(scope, "writes", client, window), 0)
    return attempts > settings.BOOKING_ATTEMPT_LIMIT or writes >= settings.BOOKING_RATE_LIMIT


def count_write(request, scope: str) -> None:
    """Count one POST that did something (called after the view answered below 400)."""
    window, _ = _window()
    _hit(_key(scope, "writes", client_address(request), window))


def limit_posts(scope: str):
    """View decorator: POSTs over either limit get a friendly 429 page; GETs are never limited.

    A POST whose response is below 400 counts as a write: views answer failed submissions with
    4xx (400 for form errors, 403 past a cut-off, 409 for a taken slot), as they already must.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != "POST":
                return view(request, *args, **kwargs)
            if over_limit(request, scope):
                _, seconds_left = _window()
                minutes = math.ceil(seconds_left / 60)
                response = render(request, "appointments/rate_limited.html", {"minutes": minutes}, status=429)
                response["Retry-After"] = str(seconds_left)
                return response
            response = view(request, *args, **kwargs)
            if response.status_code < 400:
                count_write(request, scope)
            return response

        return wrapper

    return decorator


def allowance_left(request, scope: str, limit: int) -> bool:
    """Count one use of `scope` for the client's address this hour; False once more than `limit` were used.

    For GETs that write something small (a slot hold when the details form opens, issue 15): the
    page still works when this says no, it just writes nothing.
    """
    window, _ = _window()
    return _hit(_key(scope, "uses", client_address(request), window)) <= limit
