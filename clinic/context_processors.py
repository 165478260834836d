"""Site-wide template context: the clinic's identity and whether its phone line is open."""

from functools import cache

import phonenumbers
from django.conf import settings
from django.utils import timezone

from clinic.hours import day_label, describe_hours, line_status, parse_hours


@cache
def _identity() -> dict:
    number = phonenumbers.parse(settings.CLINIC_PHONE, settings.PHONENUMBER_DEFAULT_REGION)
    hours = parse_hours(settings.CLINIC_HOURS)
    return {
        "name": settings.CLINIC_NAME,
        "phone": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        "phone_uri": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966),
        "email": settings.CLINIC_EMAIL,
        "address": settings.CLINIC_ADDRESS,
        "hours": hours,
        "hours_rows": describe_hours(hours),
        "time_zone": settings.TIME_ZONE,
        "currency": settings.CLINIC_CURRENCY,
        "currency_symbol": settings.CLINIC_CURRENCY_SYMBOL,
        "card_lookahead_days": settings.BOOKING_CARD_LOOKAHEAD_DAYS,
    }


def clinic(request):
    identity = _identity()
    now = timezone.localtime(timezone.now())
    status = line_status(identity["hours"], now)
    opens_on = day_label(status.opens_at, now) if status.opens_at else ""
    return {"clinic": identity, "phone_line": status, "phone_line_opens_on": opens_on}
