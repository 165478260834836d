"""Markdown article bodies to safe HTML, a table of contents and a reading time, in one place.

Editors write Markdown (raw HTML allowed); everything that comes out passes nh3's allow-list, so
no script, event handler, `javascript:` URL, iframe or inline style survives. Every URL is then read
the way a browser reads it (`safe_url`): images must come from our own site (a remote image would be
a third-party request from a patient's browser, SPEC 5); links may also go to https sites, in-page
anchors, an email address or a phone number. An image whose source is refused becomes its alt text,
a link whose target is refused becomes its text.
"""

import hashlib
import html
import math
import re
from dataclasses import dataclass, field

import markdown
import nh3
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# Bump when the Markdown extensions or the allow-list change: every stored rendering goes stale.
RENDERER_VERSION = "2"
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
# nh3's own scheme check runs first (relative URLs pass it); `safe_url` then decides every URL.
URL_SCHEMES = {"https", "mailto", "tel"}
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


# What a browser removes from a URL before reading it (WHATWG URL standard, "basic URL parser"):
# leading and trailing C0 controls and spaces, and every ASCII tab and newline anywhere.
_C0_CONTROL_OR_SPACE = "".join(chr(code) for code in range(0x21))
_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")
# The characters RFC 3986 allows in a path, query and fragment, and %-escapes of two hex digits:
# no "\\" (browsers read it as "/"), no spaces, quotes or controls.
_URL_TAIL = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/?#-]|%[0-9A-Fa-f]{2})*"
# A path on this site: one "/" and then not a second "/" (that would be another host).
_SAME_SITE_PATH = re.compile(rf"/(?!/){_URL_TAIL}")
# "%5C" is a backslash that a server or proxy may decode; "/%2F" an encoded second slash.
_ENCODED_SEPARATOR = re.compile(r"%5c|^/%2f", re.IGNORECASE)
_ANCHOR = re.compile(r"#[A-Za-z0-9_-]{1,100}")
# https with a plain host name (no user name before an "@", which would hide the real host).
_HTTPS = re.compile(rf"https://[A-Za-z0-9.-]+(?::[0-9]{{1,5}})?(?:[/?#]{_URL_TAIL})?", re.IGNORECASE)
_TEL = re.compile(r"tel:\+?[0-9][0-9().-]{2,30}", re.IGNORECASE)
_MAILTO = re.compile(r"mailto:(?P<address>[^?&,;%\\/\s]+)", re.IGNORECASE)


def safe_url(value: str, *, image: bool = False) -> str | None:
    """The URL an article may carry, as the browser will read it, or None to drop it.

    `value` is an attribute value with its character references already decoded (nh3 hands it so).
    Images: only a path on this site ("/media/spine.png"). Links: such a path, an in-page anchor
    ("#recovery"), an https URL with a plain host name (no user name, no backslash), a `mailto:` with
    one address and no headers, or a `tel:` number. Everything else (`javascript:`, `data:`, `http:`,
    "//host", "/\\host", "\\\\host", a scheme split by tabs or newlines ...) is refused. The
    returned value is the normalised one, so what is checked is exactly what is served.
    """
    url = value.strip(_C0_CONTROL_OR_SPACE).translate(_TAB_OR_NEWLINE)
    if _SAME_SITE_PATH.fullmatch(url) and not _ENCODED_SEPARATOR.search(url):
        return url
    if image:
        return None
    if _ANCHOR.fullmatch(url):
        return url
    if _HTTPS.fullmatch(url):
        return "https://" + url[len("https://") :]
    if _TEL.fullmatch(url):
        return "tel:" + url[len("tel:") :]
    if match := _MAILTO.fullmatch(url):
        try:
            validate_email(match["address"])
        except ValidationError:
            return None
        return "mailto:" + match["address"]
    return None


# Values HTML accepts for the other allowed attributes; anything else is dropped, so the page stays valid.
_POSITIVE_INTEGER = re.compile(r"[1-9][0-9]{0,3}")
_TABLE_SCOPES = {"row", "col", "rowgroup", "colgroup"}


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return value if _HEADING_ID.match(value) else None
    if attribute in {"width", "height", "colspan", "rowspan"}:
        return value if _POSITIVE_INTEGER.fullmatch(value.strip()) else None
    if attribute == "scope":
        return value.strip().lower() if value.strip().lower() in _TABLE_SCOPES else None
    if tag == "img" and attribute == "src":
        return safe_url(value, image=True)
    if tag == "a" and attribute == "href":
        return safe_url(value)
    return value


# nh3 serialises every tag as <name name="value" ...> with `"` escaped in values and `<` escaped in
# text, so one pattern walks its output tag by tag (a `<` inside an attribute value is consumed with
# its tag, never read as a tag of its own). An <a> never contains another <a> (the HTML parser closes
# the first), so the next </a> closes the one that was opened.
_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)((?:\s+[a-z-]+="[^"]*")*)\s*/?>')
_ATTRIBUTE = re.compile(r'\s+([a-z-]+)="([^"]*)"')


def _without_refused_urls(safe_html: str) -> str:
    """Images that lost their `src` become their alt text, links that lost their `href` their text;
    an image without `alt` gets an empty one (HTML requires it)."""
    unwrapping = False

    def tag(match: re.Match) -> str:
        nonlocal unwrapping
        closing, name, attributes = match[1], match[2], dict(_ATTRIBUTE.findall(match[3]))
        if name == "img":
            if "src" not in attributes:
                return html.escape(html.unescape(attributes.get("alt", "")), quote=False)
            if "alt" not in attributes:  # without words, the image is decoration
                return f'<img alt=""{match[3]}>'
        elif name == "a" and closing:
            was_unwrapping, unwrapping = unwrapping, False
            return "" if was_unwrapping else match[0]
        elif name == "a" and "href" not in attributes:
            unwrapping = True
            return ""
        return match[0]

    return _TAG.sub(tag, safe_html)


def sanitise(raw_html: str) -> str:
    cleaned = nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_attribute_filter,
        strip_comments=True,
    )
    return _without_refused_urls(cleaned)


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
