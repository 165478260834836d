"""Sign-in lockout (django-axes) for the staff and admin logins: per account and per address.

django-axes locks a username + client address after `AXES_FAILURE_LIMIT` failures. Password
spraying (one wrong password for each of many usernames) never trips that, so `AxesHandler` also
locks the client address alone once failures from it, summed over every username, reach
`AXES_ADDRESS_FAILURE_LIMIT` within the cool-off. The address is `clinic.client_address`, like the
booking rate limit. Rule: SPEC 4 ("and per address alone after more (password spraying)").
"""

import math
from dataclasses import dataclass
from datetime import datetime

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

ACCOUNT = "account"
ADDRESS = "address"


def _recent_attempts(request):
    return AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))


def address_failures(request) -> int:
    """Failed sign-ins from the request's client address within the cool-off, all usernames together."""
    address = getattr(request, "axes_ip_address", "")
    if not address:  # an unknown address must not lock every unknown-address client together
        return 0
    total = _recent_attempts(request).filter(ip_address=address).aggregate(total=Sum("failures_since_start"))
    return total["total"] or 0


def login_username(request, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the username a sign-in attempt is counted under, fit to be stored.

    In: the request and, when django-axes has them, the credentials passed to `authenticate`. Out: the
    typed username without NUL and other control characters, cut to the user model's username length
    (150), or None when none was sent. django-axes stores it in a 255-character column and would write
    it even when the sign-in form already refused it: a 256-character username was a DataError (a 500)
    on PostgreSQL, a NUL a ValueError (issue 10 item 5). Every name longer than 150 characters is no
    account, so counting them together under their first 150 characters loses nothing.
    """
    data = credentials if credentials else getattr(request, "data", request.POST)
    username = data.get(getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")) if data else None
    if username is None:
        return None
    limit = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD).max_length
    return "".join(char for char in str(username) if char.isprintable())[:limit]


class AxesHandler(AxesDatabaseHandler):
    """The database handler, plus the address-wide lock (settings.AXES_ADDRESS_FAILURE_LIMIT)."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """Failures for this username + address; reported as the limit once the address is locked.

        django-axes compares this number with AXES_FAILURE_LIMIT, both before authenticating and
        after each failure, so reporting the limit locks every username from that address.
        """
        failures = super().get_failures(request, credentials)
        if address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures


@dataclass(frozen=True)
class Lockout:
    kind: str  # ACCOUNT or ADDRESS
    until: datetime  # aware UTC: when the oldest failure that holds the lock leaves the cool-off


def current_lockout(request, credentials: dict | None = None) -> Lockout:
    """Which lock holds this request (the account's, else the address's) and until when."""
    cool_off = get_cool_off(request)
    attempts = _recent_attempts(request).filter(ip_address=getattr(request, "axes_ip_address", ""))
    username = get_client_username(request, credentials)
    account = attempts.filter(username=username).order_by("-attempt_time").first()
    if account and account.failures_since_start >= get_failure_limit(request, credentials):
        return Lockout(ACCOUNT, account.attempt_time + cool_off)
    # The address stays locked until enough of its newest failures have aged out of the cool-off.
    total, until = 0, timezone.now() + cool_off
    for failures, attempt_time in attempts.order_by("-attempt_time").values_list(
        "failures_since_start", "attempt_time"
    ):
        total += failures
        until = attempt_time + cool_off
        if total >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            break
    return Lockout(ADDRESS, until)


def lockout_response(request, original_response=None, credentials: dict | None = None):
    """AXES_LOCKOUT_CALLABLE: the 429 page, saying whose sign-in is paused and for how many minutes."""
    lockout = current_lockout(request, credentials)
    minutes = max(1, math.ceil((lockout.until - timezone.now()).total_seconds() / 60))
    context = {
        "kind": lockout.kind,
        "minutes": minutes,
        "failure_limit": get_failure_limit(request, credentials),
    }
    return render(request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
