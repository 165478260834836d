"""Structured data for search engines: JSON-LD blocks that the CSP allows and no editor can break out of."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# The same escapes as django.utils.html.json_script: no "</script>" or "<!--" can end the block early.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def json_ld(context, data) -> str:
    """`{% json_ld data %}`: one `<script type="application/ld+json">` data block.

    No CSP nonce: a data block is never executed, so script-src does not apply to it, and a page
    without nonces can be cached as it is (docs/decisions.md, "Public page cache").
    """
    if not data:
        return ""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_ESCAPES)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(payload),  # escaped above, exactly as json_script does
    )
