"""The public page cache: version-based ETags, revalidation, and rendered pages kept in the shared cache.

Issue 14, design items 0 and 1; SPEC 6 ("Anonymous public pages and the JSON carry version-based
ETags and a Cache-Control that lets a standard shared cache ... serve them with revalidation; the
in-app cache is the embedded default of the same scheme"); docs/decisions.md, "Public page cache".

How a page is cached:

- Only anonymous GETs (and HEADs) of the views in `CACHED_VIEWS`, without a session or messages
  cookie. Anything else passes through untouched.
- The key is scheme + host + path + the sorted query string + the htmx flag + the clinic's local date.
- While the view renders, the availability loader tells this module which doctors' free times the
  page shows (`depends_on_availability`), whether it depends on everybody's (`depends_on_all_
  availability`), when the first slot it shows stops being bookable (`shows_slot_until`) and in which
  zones its "today" lies (`shows_day`). The entry stores the version of every counter it depends on
  (clinic.versions: always the content version) and an expiry.
- A hit reads the entry and its counters (one `get` and one `get_many`), and serves it when every
  counter is unchanged and it has not expired; with a matching `If-None-Match` it answers 304. No
  database query, no session, no template.
- When a stored page's counters have moved, one request renders it again while the others get the
  previous copy (single flight, at most `RENDER_LOCK_SECONDS`), so a booking does not send every
  visitor of a popular page to the database at once.
- Not stored: anything but a 200, streaming responses, responses that set a cookie, `private` or
  `no-store` ones, and pages rendered when the cache could not read the counters.
- The header's phone-line hint ("Lines open now, until 20:00") depends on the minute, not on data:
  it is cut out of the stored body and rendered afresh for each answer (and is part of the ETag).

Responses that may be cached carry `Cache-Control: public, no-cache` (shared caches may keep them
but must revalidate every time), `Vary: Cookie, HX-Request` and the ETag.
"""

import hashlib
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from clinic import versions

# URL names whose anonymous GETs are cached (public pages without patient data, SPEC 6).
CACHED_VIEWS = frozenset(
    {
        "home",
        "doctors:list",
        "doctors:detail",
        "doctors:specialty",
        "doctors:locations",
        "doctors:location",
        "articles:list",
        "articles:category",
        "articles:detail",
        "appointments:picker",
        "appointments:api-availability",
    }
)
# Headers kept with a stored page (those set by the view and by the middleware inside this one).
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "X-Frame-Options", "Link")
CACHE_CONTROL = "public, no-cache"
# How long other requests for a page being re-rendered get its previous copy at most.
RENDER_LOCK_SECONDS = 5
PHONE_LINE_TEMPLATE = "includes/phone_line.html"


@dataclass
class Dependencies:
    """What one rendering depends on, filled in by the availability loader while the view runs."""

    doctors: set[int] = field(default_factory=set)
    all_availability: bool = False
    expires: datetime | None = None  # aware UTC

    def expire_by(self, moment: datetime) -> None:
        if self.expires is None or moment < self.expires:
            self.expires = moment


_current: ContextVar[Dependencies | None] = ContextVar("page_dependencies", default=None)


def depends_on_availability(doctor_ids) -> None:
    """The page being rendered shows the free times of these doctors (Doctor primary keys)."""
    deps = _current.get()
    if deps is not None:
        deps.doctors.update(doctor_ids)


def depends_on_all_availability() -> None:
    """The page's choice or order of doctors depends on every doctor's free times."""
    deps = _current.get()
    if deps is not None:
        deps.all_availability = True


def shows_slot_until(moment: datetime) -> None:
    """The page shows a slot that stops being bookable at `moment` (aware): expire the page then."""
    deps = _current.get()
    if deps is not None:
        deps.expire_by(moment)


def shows_day(now: datetime, zone) -> None:
    """The page says what is "today" in `zone` (a ZoneInfo) at `now`: expire it at the next midnight there."""
    deps = _current.get()
    if deps is not None:
        local = now.astimezone(zone)
        deps.expire_by(datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone))


def _phone_line(request) -> str:
    """The header's phone-line hint as base.html renders it, for this minute."""
    from clinic.context_processors import clinic

    context = clinic(request)
    return render_to_string(
        PHONE_LINE_TEMPLATE, {"phone_line": context["phone_line"], "opens_on": context["phone_line_opens_on"]}
    )


def page_key(request) -> str:
    """The cache key of a request's page: scheme, host, path, sorted query, htmx flag, local date."""
    query = urlencode(sorted(parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)))
    today = timezone.localdate()
    htmx = request.headers.get("HX-Request") == "true"
    raw = f"{request.scheme}|{request.get_host()}|{request.path}|{query}|{int(htmx)}|{today.isoformat()}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _etag(body_hash: str, phone_line: str) -> str:
    return '"' + hashlib.md5(f"{body_hash}|{phone_line}".encode(), usedforsecurity=False).hexdigest() + '"'


def _matches(request, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in candidates or "*" in candidates


def _mark_public(response, etag: str) -> None:
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    patch_vary_headers(response, ("Cookie", "HX-Request"))


class PublicPageCacheMiddleware:
    """Serve, revalidate and store anonymous public pages (see the module docstring).

    Sits after WhiteNoise and before the session middleware in `MIDDLEWARE`: a hit touches neither the
    session nor the database, and the cookies the inner middleware set on a miss are visible here.
    Switched off by `PAGE_CACHE_ENABLED = False` (ETags and Cache-Control are still sent).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in {"GET", "HEAD"} or not self._public(request):
            return self.get_response(request)
        if self._has_state(request):
            response = self.get_response(request)
            response.headers.setdefault("Cache-Control", "private, no-cache")
            return response
        enabled = getattr(settings, "PAGE_CACHE_ENABLED", True)
        key = page_key(request)
        now = timezone.now()
        lock = None
        if enabled:
            entry = cache.get(key)
            if entry is not None:
                if self._valid(entry, now):
                    return self._answer(request, entry, "hit")
                # Changed data: one request renders, the others meanwhile get the copy they would have
                # had a moment ago (single flight; the lock lapses by itself if the renderer dies).
                lock = f"{key}:rendering"
                if not cache.add(lock, 1, RENDER_LOCK_SECONDS):
                    return self._answer(request, entry, "stale")
        try:
            return self._render(request, key, now, enabled)
        finally:
            if lock is not None:
                cache.delete(lock)

    def _render(self, request, key, now, enabled):
        deps = Dependencies()
        token = _current.set(deps)
        try:
            response = self.get_response(request)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        finally:
            _current.reset(token)
        if not self._storable(request, response):
            return response
        phone_line = _phone_line(request)
        body = response.content.decode(response.charset)
        before, found, after = body.partition(phone_line)
        parts = (before, after) if found else (body,)
        body_hash = hashlib.md5("\0".join(parts).encode(), usedforsecurity=False).hexdigest()
        etag = _etag(body_hash, phone_line if found else "")
        if enabled:
            self._store(key, response, parts, body_hash, deps, now)
        _mark_public(response, etag)
        if _matches(request, etag):
            return self._not_modified(response)
        return response

    @staticmethod
    def _public(request) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in CACHED_VIEWS

    @staticmethod
    def _has_state(request) -> bool:
        """A session (staff) or a flash message waiting: the page may differ, never cache it."""
        from django.contrib.messages.storage.cookie import CookieStorage

        cookies = request.COOKIES
        return settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies

    @staticmethod
    def _storable(request, response) -> bool:
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return False
        cache_control = response.get("Cache-Control", "")
        return "private" not in cache_control and "no-store" not in cache_control

    @staticmethod
    def _keys(deps: Dependencies) -> list[str]:
        keys = [versions.CONTENT]
        keys += [versions.availability_key(pk) for pk in sorted(deps.doctors)]
        if deps.all_availability:
            keys.append(versions.ANY_AVAILABILITY)
        return keys

    def _store(self, key, response, parts, body_hash, deps: Dependencies, now) -> None:
        timeout = settings.PAGE_CACHE_SECONDS
        if deps.expires is not None:
            timeout = min(timeout, int((deps.expires - now).total_seconds()))
        if timeout <= 0:
            return
        entry = {
            "parts": parts,
            "hash": body_hash,
            "charset": response.charset,
            "headers": {name: response[name] for name in KEPT_HEADERS if name in response},
            "versions": versions.current(self._keys(deps)),
            "expires": deps.expires.timestamp() if deps.expires else None,
        }
        cache.set(key, entry, timeout)

    @staticmethod
    def _valid(entry, now) -> bool:
        if entry["expires"] is not None and now.timestamp() >= entry["expires"]:
            return False
        stored = entry["versions"]
        return cache.get_many(list(stored)) == stored

    def _answer(self, request, entry, state: str):
        phone_line = _phone_line(request) if len(entry["parts"]) == 2 else ""
        etag = _etag(entry["hash"], phone_line)
        if _matches(request, etag):
            response = HttpResponseNotModified()
        else:
            body = phone_line.join(entry["parts"]) if phone_line else entry["parts"][0]
            response = HttpResponse(body.encode(entry["charset"]))
            for name, value in entry["headers"].items():
                response[name] = value
        _mark_public(response, etag)
        response["X-Page-Cache"] = state
        return response

    @staticmethod
    def _not_modified(response):
        not_modified = HttpResponseNotModified()
        for name in ("ETag", "Cache-Control", "Vary"):
            if name in response:
                not_modified[name] = response[name]
        return not_modified
