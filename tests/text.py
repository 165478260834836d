"""Reading pages and emails as a person does: the words, without tags or extra spaces."""

import html
import re


def visible_text(markup: str | bytes) -> str:
    """`markup` with tags removed, entities decoded and every run of whitespace one space."""
    if isinstance(markup, bytes):
        markup = markup.decode()
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S | re.I)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())
