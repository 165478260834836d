"""One way to compare people's names as the front desk types them: the staff Find's normaliser.

`fold_name` is applied to the stored names (Appointment.patient_name_folded, kept in sync by the
model and its queryset) and to every query, on SQLite and PostgreSQL alike, so both databases behave
the same (docs/decisions.md, "Find that forgives").
"""

import re
import unicodedata

# Apostrophes and look-alikes that phones, keyboards and word processors put into names ("O\u2019Brien",
# "Dsouza", "D'Souza", "N`Diaye"): removed, so every spelling folds to "obrien", "dsouza", "ndiaye".
APOSTROPHES = "'\u2018\u2019\u201b\u02bc\u02b9\u02bb\u0060\u00b4\u2032"
# Letters that carry no combining mark to strip (NFKD leaves them whole) but are written plain.
PLAIN_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "ł": "l", "\u0131": "i", "þ": "th"}
)
_APOSTROPHES = str.maketrans("", "", APOSTROPHES)
_NOT_A_LETTER_OR_DIGIT = re.compile(r"[^\w]+|_")


def ascii_digits(text: str) -> str:
    """`text` with every Unicode decimal digit (Arabic-Indic, Devanagari, full-width...) as its ASCII digit.

    In: any text. Out: str of the same length, other characters untouched. Never raises. Booking
    accepts a mobile typed in any script's digits (phonenumbers reads them), so the staff Find must
    too (issue 12 finding 4); NFKD alone folds only the compatibility forms, not Devanagari or
    Arabic-Indic digits.
    """
    return "".join(
        str(unicodedata.decimal(char))
        if not char.isascii() and unicodedata.decimal(char, None) is not None
        else char
        for char in str(text)
    )


def fold_name(text: str) -> str:
    """A name (or a query) as lower-case, accent-free words separated by single spaces.

    In: any text. Out: str, casefolded, diacritics stripped (NFKD, combining marks dropped), the
    apostrophes in APOSTROPHES removed, every other run of punctuation or space made one space, no
    leading or trailing space, any script's decimal digits as ASCII: "Siobhán  O\u2019Brien" -> "siobhan obrien", "D'Souza-Rao" -> "dsouza rao".
    Never raises. Rule: SPEC 3.5 (find forgiving case, accents, apostrophes and word order).
    """
    text = unicodedata.normalize("NFKD", ascii_digits(text).casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.translate(_APOSTROPHES).translate(PLAIN_LETTERS)
    return " ".join(_NOT_A_LETTER_OR_DIGIT.sub(" ", text).split())
