"""Template side of `clinic.wallclock`: every time on a page, in its location's wall clock.

    {% load wallclock %}
    {{ appointment|wall_clock:"span" }}              Monday 28 December 2026, 11:40–12:00 GMT
    {{ slot|wall_clock:"short" }}                    Mon 28 Dec, 11:40 GMT
    {{ change.at|at_place:appointment|wall_clock:"numeric" }}   2026-12-28 09:12 GMT
    {{ day|zone_label:location }}                    GMT (GMT/BST on the day the clocks change)

Never `|date` or `|time` on an instant: Django converts it to the server's zone first.
"""

from django import template

from clinic import wallclock as clock

register = template.Library()


@register.filter
def wall_clock(value, style="full") -> str:
    """An appointment, a slot or an `at_place` value as text in one of `clock.STYLES` (or "span")."""
    if value is None or value == "":
        return ""
    return clock.wall_clock(value).format(style)


@register.filter
def at_place(value, place):
    """An aware datetime read at `place` (an appointment, location, slot, zone or zone name), for
    `wall_clock`: `{{ message.due_at|at_place:appointment|wall_clock:"medium" }}`."""
    if value is None or value == "":
        return None
    return clock.wall_clock(value, place)


@register.filter
def zone_label(day, place) -> str:
    """The abbreviation(s) in force on a local day at `place`, for headings over "clock" times."""
    if not day:
        return ""
    return clock.zone_label(day, place)
