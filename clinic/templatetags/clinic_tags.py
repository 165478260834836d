"""Small presentation helpers shared by every template."""

from datetime import datetime
from decimal import Decimal

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def money(value) -> str:
    """Format an amount in the clinic's currency: 1200 -> "₹1,200", 99.5 -> "₹99.50"."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{settings.CLINIC_CURRENCY_SYMBOL}{text}"


@register.simple_tag
def icon(name: str, size: int = 16, label: str = "") -> str:
    """Inline one SVG icon from templates/icons/; decorative unless it is given a label."""
    svg = render_to_string(f"icons/{name}.svg", {"size": size, "label": label})
    return mark_safe(svg.strip())


@register.simple_tag
def field_errors(form) -> list[tuple[str, str]]:
    """(field id, message) for each error of a visible field, in form order, for an error summary.

    A radio group's id is its first radio's (`id_visit_type_0`): the group itself has no element to land on.
    """
    return [
        (field.id_for_label or f"{field.auto_id}_0", message)
        for field in form.visible_fields()
        for message in field.errors
    ]


@register.simple_tag
def elided_pages(page_obj):
    """Page numbers around the current page, with ellipses, for includes/pagination.html."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)


@register.filter
def heading(level) -> int:
    """`<h{{ heading_level|heading }}>`: the heading level an include was given by its page, checked.

    Components with a heading (doctor and article cards, the slot picker, the error summary) take their
    level from the page that includes them (`with heading_level=2`), so a page's outline never skips a
    level (WCAG 1.3.1; docs/decisions.md, 2026-11-29). Takes an int or a numeric string and returns an
    int from 2 to 6 (the page's own title is its only h1). Raises ValueError for anything else, a missing
    level included: that is a template bug, and any test that renders the page finds it.
    """
    if str(level) not in {"2", "3", "4", "5", "6"}:
        raise ValueError(f"heading_level must be 2-6, got {level!r}: pass heading_level=N to the include")
    return int(level)


@register.filter
def machine_datetime(value) -> str:
    """An instant for machines (`<time datetime>`, Open Graph): "2026-11-04T15:25:30+05:30".

    Takes an aware datetime (or a date, given back as "2026-11-04") and gives a valid HTML "global date
    and time string" in the current time zone, to the second: HTML allows at most three digits of a
    second's fraction, and `|date:"c"` prints six. Empty for None.
    """
    if not value:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()
