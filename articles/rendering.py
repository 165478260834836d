"""Markdown article bodies to safe HTML, a table of contents and a reading time, in one place.

Editors write Markdown (raw HTML allowed); everything that comes out passes nh3's allow-list, so
no script, event handler, `javascript:` URL, iframe or inline style survives. Images must come from
our own site: a remote image would be a third-party request from a patient's browser (SPEC 5).
"""

import hashlib
import html
import math
import re
from dataclasses import dataclass, field

import markdown
import nh3

# Bump when the Markdown extensions or the allow-list change: every stored rendering goes stale.
RENDERER_VERSION = "1"
WORDS_PER_MINUTE = 200

ALLOWED_TAGS = {
    "h2",
    "h3",
    "h4",
    "p",
    "br",
    "hr",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "em",
    "b",
    "i",
    "blockquote",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
}
ALLOWED_ATTRIBUTES = {
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Heading ids come from the toc extension; anything else in an id is dropped.
_HEADING_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}$")
_MARKDOWN_EXTENSIONS = ["toc", "tables", "sane_lists", "fenced_code"]
_MARKDOWN_CONFIG = {"toc": {"toc_depth": "2-3"}}


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: list[dict] = field(default_factory=list)
    reading_minutes: int = 1


def fingerprint(body: str) -> str:
    """Identifies one version of a body under one renderer: the key of the stored rendering."""
    return hashlib.sha256(f"{RENDERER_VERSION}\0{body}".encode()).hexdigest()


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return value if _HEADING_ID.match(value) else None
    if tag == "img" and attribute == "src":
        # Same-origin paths only ("/media/..."), never "//host/..." or a remote URL.
        return value if value.startswith("/") and not value.startswith("//") else None
    return value


def sanitise(raw_html: str) -> str:
    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_attribute_filter,
        strip_comments=True,
    )


def _toc(tokens: list[dict]) -> list[dict]:
    """The toc extension's tokens as plain text entries; the template escapes them again."""
    return [
        {"id": token["id"], "title": html.unescape(token["name"]), "children": _toc(token["children"])}
        for token in tokens
    ]


def render_markdown(body: str) -> Rendered:
    converter = markdown.Markdown(extensions=_MARKDOWN_EXTENSIONS, extension_configs=_MARKDOWN_CONFIG)
    safe_html = sanitise(converter.convert(body))
    words = len(nh3.clean(safe_html, tags=set()).split())
    return Rendered(
        html=safe_html,
        toc=_toc(converter.toc_tokens),
        reading_minutes=max(1, math.ceil(words / WORDS_PER_MINUTE)),
    )
