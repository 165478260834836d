"""A fixed-window rate limit on booking writes, counted in Django's cache.

With REDIS_URL set the counters live in Redis, so the limit holds across every app server.
The client is REMOTE_ADDR: put the app behind a proxy that sets it (gunicorn behind nginx with
`proxy_protocol`, or a proxy that rewrites REMOTE_ADDR); X-Forwarded-For is not trusted because
any client can send it.
"""

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

WINDOW_SECONDS = 3600


def over_limit(request, scope: str) -> bool:
    """Count this request; True when the client has used up its allowance for this window."""
    bucket = int(time.time() // WINDOW_SECONDS)
    key = f"ratelimit:{scope}:{request.META.get('REMOTE_ADDR', '')}:{bucket}"
    cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 60)
        count = 1
    return count > settings.BOOKING_RATE_LIMIT


def limit_posts(scope: str):
    """Answer POSTs over the limit with a friendly 429 page; GETs are never limited."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST" and over_limit(request, scope):
                return render(
                    request,
                    "appointments/rate_limited.html",
                    {"minutes": WINDOW_SECONDS // 60},
                    status=429,
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
