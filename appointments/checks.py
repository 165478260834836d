"""System checks on the booking policy settings: warn when they contradict each other (`manage.py check`)."""

from datetime import timedelta

from django.conf import settings
from django.core.checks import Error, Warning, register

from appointments.policy import describe_duration

POLICY_SETTINGS = ("BOOKING_MIN_NOTICE", "BOOKING_CUTOFF", "BOOKING_GRACE_PERIOD")


@register("booking")
def booking_policy_check(app_configs=None, **kwargs):
    """Errors for negative durations or caps; warnings when minimum notice, cut-off and grace period disagree.

    appointments.E001: a policy duration is negative. appointments.E002: BOOKING_MAX_PER_MOBILE < 1.
    appointments.W001: minimum notice shorter than the cut-off and no grace period, so a booking made in
    between can never be changed online. appointments.W002: grace period as long as the cut-off or longer,
    so a booking made inside the cut-off stays changeable until its start and the cut-off means nothing.
    """
    found = []
    values = {name: getattr(settings, name) for name in POLICY_SETTINGS}
    for name, value in values.items():
        if value < timedelta(0):
            found.append(
                Error(
                    f"{name} is negative ({value}).", hint="Set it to zero or more.", id="appointments.E001"
                )
            )
    if settings.BOOKING_MAX_PER_MOBILE < 1:
        found.append(
            Error(
                "BOOKING_MAX_PER_MOBILE is below 1: nobody could book online.",
                hint="Set BOOKING_MAX_PER_MOBILE to 1 or more.",
                id="appointments.E002",
            )
        )
    if found:
        return found
    notice, cutoff, grace = (values[name] for name in POLICY_SETTINGS)
    if notice < cutoff and grace == timedelta(0):
        found.append(
            Warning(
                f"Online booking needs {describe_duration(notice)}' notice but online changes close "
                f"{describe_duration(cutoff)} before a visit, and there is no grace period: a booking made in "
                "between can never be cancelled online, not even a minute after it was made.",
                hint="Set BOOKING_GRACE_MINUTES (e.g. 30), or make the minimum notice at least the cut-off.",
                id="appointments.W001",
            )
        )
    if grace > timedelta(0) and grace >= cutoff:
        found.append(
            Warning(
                f"The grace period ({describe_duration(grace)}) is as long as the cut-off "
                f"({describe_duration(cutoff)}) or longer: every booking made inside the cut-off stays "
                "changeable online until its start, so the cut-off never applies to it.",
                hint="Make BOOKING_GRACE_MINUTES shorter than BOOKING_CUTOFF_HOURS.",
                id="appointments.W002",
            )
        )
    return found
