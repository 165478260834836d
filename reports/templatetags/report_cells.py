"""How a report table's cells read on the page: counts as they are, one decimal for percentages and
hours, and an en dash for a value that does not exist (a rate without a denominator)."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def cell(value) -> str:
    """None -> "–"; a float -> one decimal in the active locale; anything else as text."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return number_format(value, decimal_pos=1)
    return str(value)
