"""Doctor search that understands what patients type (SPEC 3.2): words in, doctors and reasons out.

A query goes through three steps, each a plain function over plain values so it behaves the same on
SQLite and PostgreSQL (the database only filters by ids and words the matcher chose):

1. `normalise(text)` turns text into tokens: lower case, accents and punctuation gone, "Dr"/"doctor"
   and filler words dropped, plurals made singular. Vocabulary terms go through the same function.
2. `Vocabulary.parse(tokens)` covers the tokens with terms: conditions, procedures and specialties
   (their names and "also known as" terms), doctors' names and places. Exact phrases first (longest
   first, word order ignored), then typos (rapidfuzz over the vocabulary, which is small), then single
   words (whole words and word beginnings), then what is left is looked for in doctors' profiles.
   Each covered part of the query is a `Group`; a doctor must match every group (a condition *and*
   a city), and any hit within a group.
3. `filter_doctors()` turns the groups into one SQL filter and a relevance score, and
   `match_reasons()` says on each card why it matched ("Treats sciatica").

Relevance (decisions.md, 2026-11-29): per group, the best of the doctor's hits scores, exact before
partial; exact hits rank name 8, specialty 7, a condition the doctor's specialty leads 7, procedure 6,
other condition 5; partial hits (a word of a longer term, a word beginning) 4, 3, 3, 2, 1; words
found only in the profile text 0. Group scores add up.
"""

import bisect
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

# Words that say nothing about which doctor: titles, fillers and "what kind of thing" words.
STOPWORDS = frozenset(
    (  # noqa: SIM905 (a word list reads best as words)
        "a an and the of for to in on at near nearby me my i with or by from best good top great "
        "dr drs doc doctor specialist expert consultant clinic hospital centre center treatment treat "
        "treating cure problem issue"
    ).split()
)
MAX_PHRASE_WORDS = 5
MAX_QUERY_WORDS = 12  # more is not a search but a paste; it keeps the typo matching's work bounded
MIN_FUZZY_CHARS = 5  # shorter words are too close to each other for typo matching ("disc", "dist")
MIN_PREFIX_CHARS = 3


class Kind:
    CONDITION = "condition"
    PROCEDURE = "procedure"
    SPECIALTY = "specialty"
    DOCTOR = "doctor"
    PLACE = "place"
    TEXT = "text"


SUBJECT_KINDS = (Kind.CONDITION, Kind.PROCEDURE, Kind.SPECIALTY, Kind.DOCTOR)

EXACT_SCORES = {Kind.DOCTOR: 8, Kind.SPECIALTY: 7, Kind.PROCEDURE: 6, Kind.CONDITION: 5}
PARTIAL_SCORES = {Kind.DOCTOR: 4, Kind.SPECIALTY: 3, Kind.PROCEDURE: 2, Kind.CONDITION: 1}
LEAD_BONUS = 2  # a condition led by the doctor's specialty: exact 5 -> 7, partial 1 -> 3


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def singular(word: str) -> str:
    """English plural to singular for search keys ("discs" -> "disc", "surgeries" -> "surgery").

    Deliberately simple and applied to both the query and the vocabulary, so an imperfect rule still
    matches: words ending in -ss, -us, -is ("stenosis") and short words are left alone.
    """
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ae"):  # vertebrae
        return word[:-1]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@functools.lru_cache(maxsize=20_000)
def normalise(text: str) -> tuple[str, ...]:
    """Search tokens of `text`: case, accents, punctuation, titles, filler words and plurals removed.

    "Dr. Shetty's" -> ("shetty",); "Slipped Discs" -> ("slipped", "disc"); "Orthopädie" -> ("orthopadie",).
    """
    text = _strip_accents(text.casefold()).replace("'", "").replace("\u2019", "")
    words = re.findall(r"[^\W_]+", text)
    singulars = (singular(word) for word in words if word not in STOPWORDS)
    return tuple(word for word in singulars if word not in STOPWORDS)


def sorted_key(tokens: Iterable[str]) -> str:
    return " ".join(sorted(tokens))


@dataclass(frozen=True)
class Hit:
    """One thing a part of the query matched.

    `target` is a row id (or, for TEXT, the word to look for); `label` is what the card and the
    suggestions show; `via` is the "also known as" term that matched when it was not the name.
    """

    kind: str
    target: int | str
    label: str
    via: str = ""
    exact: bool = True
    leads: frozenset[int] = frozenset()  # for conditions: the specialties that lead their care

    def score(self, *, lead: bool = False) -> int:
        if self.kind in (Kind.PLACE, Kind.TEXT):
            return 0
        base = (EXACT_SCORES if self.exact else PARTIAL_SCORES)[self.kind]
        return base + (LEAD_BONUS if lead and self.kind == Kind.CONDITION else 0)


@dataclass
class Group:
    """A part of the query and everything it matched; a doctor must match at least one hit."""

    words: tuple[str, ...]
    hits: list[Hit]
    corrected_to: str = ""  # the term a misspelling was read as

    @property
    def is_place(self) -> bool:
        return all(hit.kind == Kind.PLACE for hit in self.hits)

    @property
    def is_text(self) -> bool:
        return all(hit.kind == Kind.TEXT for hit in self.hits)

    def ids(self, kind: str, *, exact: bool | None = None) -> list:
        return sorted(
            {hit.target for hit in self.hits if hit.kind == kind and (exact is None or hit.exact == exact)},
            key=str,  # places mix location ids and "city:<name>"
        )


@dataclass
class ParsedQuery:
    """A query read against the vocabulary: its groups and whatever was corrected or not understood."""

    text: str
    groups: list[Group] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.groups)

    @property
    def corrections(self) -> list[tuple[str, str]]:
        """(what was typed, what it was read as) for each misspelling that was corrected."""
        return [(" ".join(g.words), g.corrected_to) for g in self.groups if g.corrected_to]

    @property
    def understood(self) -> str:
        """The query as it was read: corrected terms in place of misspellings, unknown words kept."""
        return " ".join(g.corrected_to or " ".join(g.words) for g in self.groups)

    @property
    def unknown_words(self) -> list[str]:
        return [" ".join(g.words) for g in self.groups if g.is_text]


@dataclass(frozen=True)
class Term:
    """A searchable phrase and the hit it stands for."""

    tokens: tuple[str, ...]
    hit: Hit

    @property
    def phrase(self) -> str:
        return " ".join(self.tokens)


@dataclass(frozen=True)
class VocabularyRows:
    """The rows the vocabulary is built from, as hashable tuples (so building can be memoised).

    conditions/procedures/specialties: (id, name, also_known_as text, whether an active doctor has it)
    plus, for specialties, the practitioner word; leads: (condition id, specialty id); places:
    (location id, name, city, also_known_as text); doctors: (id, name, slug, specialty id, location id).
    """

    conditions: tuple = ()
    procedures: tuple = ()
    specialties: tuple = ()
    leads: tuple = ()
    places: tuple = ()
    doctors: tuple = ()


class Vocabulary:
    """Every term a patient may type, normalised and indexed for exact, typo and word matching."""

    def __init__(self, rows: VocabularyRows):
        from doctors.models import split_terms

        self.rows = rows
        self.terms: list[Term] = []
        self.with_doctors: set[tuple[str, int]] = set()  # terms at least one active doctor has
        self.practitioners: dict[int, str] = {}
        leads = defaultdict(set)
        for condition_id, specialty_id in rows.leads:
            leads[condition_id].add(specialty_id)
        for kind, table in (
            (Kind.CONDITION, rows.conditions),
            (Kind.PROCEDURE, rows.procedures),
            (Kind.SPECIALTY, rows.specialties),
        ):
            for pk, name, aliases, has_doctors, *rest in table:
                if has_doctors:
                    self.with_doctors.add((kind, pk))
                if kind == Kind.SPECIALTY:
                    self.practitioners[pk] = rest[0] if rest and rest[0] else name
                lead = frozenset(leads.get(pk, ())) if kind == Kind.CONDITION else frozenset()
                self._add(name, Hit(kind, pk, name, leads=lead))
                if kind == Kind.SPECIALTY and rest and rest[0]:
                    self._add(rest[0], Hit(kind, pk, name, via=rest[0], leads=lead))
                for alias in split_terms(aliases):
                    self._add(alias, Hit(kind, pk, name, via=alias, leads=lead))
        cities = defaultdict(set)
        # Words every clinic's name shares (the brand: "Spine Care Clinic, Whitefield") say nothing
        # about the place, and would make "spine" a place; each name is indexed without them.
        names = [set(normalise(name)) for _pk, name, *_ in rows.places]
        shared = set.intersection(*names) if len(names) > 1 else set()
        for pk, name, city, aliases in rows.places:
            cities[city].add(pk)
            distinct = tuple(word for word in normalise(name) if word not in shared)
            self._add(name, Hit(Kind.PLACE, pk, name), tokens=distinct or None)
            for alias in split_terms(aliases):
                self._add(alias, Hit(Kind.PLACE, pk, name, via=alias))
        self.city_locations = {city: frozenset(ids) for city, ids in cities.items()}
        for city in cities:
            self._add(city, Hit(Kind.PLACE, f"city:{city}", city))
        specialty_names = {pk: name for pk, name, *_ in rows.specialties}
        cities_by_location = {pk: city for pk, _name, city, _aliases in rows.places}
        self.doctors = {
            pk: (name, slug, specialty_names.get(specialty_id, ""), cities_by_location.get(location_id, ""))
            for pk, name, slug, specialty_id, location_id in rows.doctors
        }
        for pk, name, *_ in rows.doctors:
            self._add(name, Hit(Kind.DOCTOR, pk, name))
        self._index()

    def _add(self, text: str, hit: Hit, *, tokens: tuple[str, ...] | None = None) -> None:
        tokens = tokens or normalise(text)
        if tokens:
            self.terms.append(Term(tokens, hit))

    def _index(self) -> None:
        self.exact: dict[str, list[Term]] = defaultdict(list)
        self.words: dict[str, list[Term]] = defaultdict(list)
        for term in self.terms:
            self.exact[term.phrase].append(term)
            if len(term.tokens) > 1:
                self.exact[sorted_key(term.tokens)].append(term)
            for word in set(term.tokens):
                self.words[word].append(term)
        self.phrases = list(dict.fromkeys(term.phrase for term in self.terms))
        self.by_phrase: dict[str, list[Term]] = defaultdict(list)
        for term in self.terms:
            self.by_phrase[term.phrase].append(term)
        self.word_list = sorted(self.words)

    # Reading a query -------------------------------------------------------------------------------

    def parse(self, text: str) -> ParsedQuery:
        """Cover the words of `text` with vocabulary terms, in this order of trust:

        exact phrases (longest first, any word order), misspelt phrases of two or more words, single
        words of longer terms, a misspelt single term, word beginnings and misspelt words; a word
        nothing explains is looked for in doctors' profiles.
        """
        tokens = self.segment(normalise(text))[:MAX_QUERY_WORDS]
        covered = [False] * len(tokens)
        found: list[tuple[int, Group]] = []
        longest = min(len(tokens), MAX_PHRASE_WORDS)

        def windows(sizes):
            for size in sizes:
                for start in range(len(tokens) - size + 1):
                    if not any(covered[start : start + size]):
                        yield start, size, tokens[start : start + size]

        def take(start, size, group):
            covered[start : start + size] = [True] * size
            found.append((start, group))

        for start, size, words in windows(range(longest, 0, -1)):
            if terms := self._exact_terms(words):
                hits = [t.hit for t in terms] + self._containing(words, exclude=terms)
                take(start, size, Group(words, _prefer_subjects(hits)))
        for start, size, words in windows(range(longest, 1, -1)):
            if group := self._fuzzy_group(words):
                take(start, size, group)
        for start, _size, (word,) in windows([1]):
            if word in self.words:
                take(start, 1, Group((word,), _prefer_subjects(self._word_hits(word))))
        for start, _size, words in windows([1]):
            if group := self._fuzzy_group(words):
                take(start, 1, group)
        for start, _size, (word,) in windows([1]):
            if hits := self._word_hits(word):
                take(start, 1, Group((word,), _prefer_subjects(hits)))
            elif spelling := self._close_word(word):
                hits = _prefer_subjects(self._word_hits(spelling))
                take(start, 1, Group((word,), hits, corrected_to=spelling))
            elif len(word) >= MIN_PREFIX_CHARS:
                take(start, 1, Group((word,), [Hit(Kind.TEXT, word, word, exact=False)]))
        return ParsedQuery(text=text, groups=[group for _, group in sorted(found, key=lambda pair: pair[0])])

    def _exact_terms(self, words: tuple[str, ...]) -> list[Term]:
        phrase = " ".join(words)
        return self.exact.get(phrase) or (self.exact.get(sorted_key(words)) if len(words) > 1 else None) or []

    def _containing(self, words: tuple[str, ...], *, exclude: list[Term]) -> list[Hit]:
        """Partial hits: longer terms that contain these words in order ("back pain" in "chronic low back pain")."""
        skip = {id(t) for t in exclude}
        size = len(words)
        return [
            Hit(t.hit.kind, t.hit.target, t.hit.label, via=t.hit.via, exact=False, leads=t.hit.leads)
            for t in self.words.get(words[0], ())
            if id(t) not in skip
            and any(t.tokens[i : i + size] == words for i in range(len(t.tokens) - size + 1))
        ]

    def _fuzzy_group(self, words: tuple[str, ...]) -> Group | None:
        """The terms a misspelt phrase most likely means (rapidfuzz's normalised Indel similarity)."""
        phrase = " ".join(words)
        if len(phrase.replace(" ", "")) < MIN_FUZZY_CHARS:
            return None
        matches = process.extract(
            phrase, self.phrases, scorer=fuzz.ratio, score_cutoff=_fuzzy_cutoff(phrase), limit=8
        )
        if not matches:
            return None
        best = matches[0][1]
        terms = [t for match, score, _ in matches if score >= best - 2 for t in self.by_phrase[match]]
        hits = _prefer_subjects([t.hit for t in terms])
        return Group(words, hits, corrected_to=hits[0].via or hits[0].label)

    def _word_hits(self, word: str) -> list[Hit]:
        """Partial hits for one word: terms that have it as a word, or a word that begins with it."""
        terms = list(self.words.get(word, ()))
        if len(word) >= MIN_PREFIX_CHARS:
            terms += [t for w in self._words_starting(word) if w != word for t in self.words[w]]
        hits = {}
        for t in terms:
            hit = Hit(t.hit.kind, t.hit.target, t.hit.label, via=t.hit.via, exact=False, leads=t.hit.leads)
            hits.setdefault((hit.kind, hit.target), hit)
        return list(hits.values())

    def _words_starting(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self.word_list, prefix)
        found = []
        for word in self.word_list[start:]:
            if not word.startswith(prefix):
                break
            found.append(word)
        return found

    def _close_word(self, word: str) -> str:
        """The vocabulary word a misspelt word most likely is, or ""."""
        if len(word) < MIN_FUZZY_CHARS:
            return ""
        match = process.extractOne(word, self.word_list, scorer=fuzz.ratio, score_cutoff=_fuzzy_cutoff(word))
        return match[0] if match else ""

    def segment(self, tokens: tuple[str, ...]) -> tuple[str, ...]:
        """Split words typed together ("backpain" -> "back pain") and join split ones ("kypho plasty")."""
        out: list[str] = []
        for token in tokens:
            out.extend(self._split(token) or [token])
        joined: list[str] = []
        index = 0
        while index < len(out):
            if index + 1 < len(out):
                pair = out[index] + out[index + 1]
                if pair in self.words and not self._exact_terms((out[index], out[index + 1])):
                    joined.append(pair)
                    index += 2
                    continue
            joined.append(out[index])
            index += 1
        return tuple(joined)

    def _split(self, token: str, depth: int = 0) -> list[str] | None:
        if token in self.words or depth > 2 or len(token) < 2 * MIN_PREFIX_CHARS:
            return None
        for cut in range(len(token) - MIN_PREFIX_CHARS, MIN_PREFIX_CHARS - 1, -1):
            left, right = token[:cut], singular(token[cut:])
            if left in self.words:
                if right in self.words:
                    return [left, right]
                if rest := self._split(right, depth + 1):
                    return [left, *rest]
        return None

    # Helping when nothing was found ----------------------------------------------------------------

    def close_terms(self, text: str, *, limit: int = 3) -> list[str]:
        """Vocabulary labels spelt like `text`, loosest first-pass: for "Did you mean ...?"."""
        phrase = " ".join(normalise(text))
        if len(phrase) < MIN_PREFIX_CHARS:
            return []
        matches = process.extract(phrase, self.phrases, scorer=fuzz.ratio, score_cutoff=60, limit=limit * 4)
        labels = []
        for match, _score, _ in matches:
            for term in self.by_phrase[match]:
                if term.hit.kind != Kind.DOCTOR and term.hit.label not in labels:
                    labels.append(term.hit.label)
        return labels[:limit]


def _fuzzy_cutoff(text: str) -> float:
    """How similar (0-100) a misspelling must be: stricter for short words, where one letter is a lot."""
    return 83 if len(text) <= 6 else 78


def _prefer_subjects(hits: list[Hit]) -> list[Hit]:
    """When a word names both a subject and a place ("spine": Spine Surgery, Spine Care Clinic), the subject."""
    subjects = [hit for hit in hits if hit.kind in SUBJECT_KINDS]
    chosen = subjects or hits
    unique = {}
    for hit in chosen:  # one hit per target, the exact one if any
        key = (hit.kind, hit.target)
        if key not in unique or (hit.exact and not unique[key].exact):
            unique[key] = hit
    return list(unique.values())


@functools.lru_cache(maxsize=4)
def build_vocabulary(rows: VocabularyRows) -> Vocabulary:
    """A memoised `Vocabulary(rows)`: rows are read on every search, the index is rebuilt only when they change."""
    return Vocabulary(rows)


# Suggestions as you type ---------------------------------------------------------------------------

KIND_ORDER = {Kind.CONDITION: 0, Kind.PROCEDURE: 1, Kind.SPECIALTY: 2, Kind.PLACE: 3, Kind.DOCTOR: 4}
MAX_DOCTOR_SUGGESTIONS = 4


@dataclass(frozen=True)
class Suggestion:
    """One option under the search box: `value` goes into the box; a doctor option opens `slug`'s profile."""

    kind: str
    label: str
    value: str
    via: str = ""
    slug: str = ""
    detail: str = ""


def _completion_quality(typed: tuple[str, ...], phrase: str, term: tuple[str, ...]) -> int:
    """How well a half-typed query fits a term: 3 begins it, 2 begins its words, 1 close spelling, 0 no."""
    joined = " ".join(typed)
    if phrase.startswith(joined):
        return 3
    words = list(term)
    for word in typed:
        match = next((w for w in words if w.startswith(word)), None)
        if match is None:
            break
        words.remove(match)
    else:
        return 2
    if len(joined) >= 4 and fuzz.ratio(joined, phrase[: len(joined) + 1]) >= 80:
        return 1
    return 0


def suggest(vocabulary: Vocabulary, text: str, *, limit: int = 8) -> list[Suggestion]:
    """Up to `limit` completions of a half-typed query, best first (conditions before doctors on a tie).

    Terms no active doctor has are left out, so every suggestion leads somewhere. With several words
    ("sciatica pu") the last one is also completed on its own, the words before it kept ("sciatica Pune").
    """
    typed = normalise(text)
    if not typed or len("".join(typed)) < 2:
        return []
    # No term is longer than a few words: a longer query is only completed at its last word.
    whole = (
        sorted(_rank(vocabulary, typed).values(), key=lambda pair: pair[0])
        if len(typed) <= MAX_PHRASE_WORDS
        else []
    )
    ranked = [(hit, "") for key, hit in whole if key[0] <= -2]
    stripped = text.rstrip()
    head = stripped[: stripped.rfind(" ")].strip() if " " in stripped else ""
    if len(typed) > 1 and head:
        last = sorted(_rank(vocabulary, typed[-1:]).values(), key=lambda pair: pair[0])
        ranked += [(hit, head) for key, hit in last if key[0] <= -2 and hit.kind != Kind.DOCTOR]
    ranked += [(hit, "") for key, hit in whole if key[0] > -2]
    suggestions, seen, doctors = [], set(), 0
    for hit, prefix in ranked:
        if hit.kind == Kind.DOCTOR:
            if doctors >= MAX_DOCTOR_SUGGESTIONS or hit.target in seen:
                continue
            doctors += 1
            seen.add(hit.target)
            _name, slug, specialty, city = vocabulary.doctors[hit.target]
            suggestions.append(
                Suggestion(hit.kind, hit.label, hit.label, slug=slug, detail=f"{specialty}, {city}")
            )
        else:
            # A place found through another name ("Bangalore") is offered by that name, once.
            name = hit.via if hit.kind == Kind.PLACE and hit.via else hit.label
            value = f"{prefix} {name}" if prefix else name
            key = " ".join(normalise(value))
            if key in seen:
                continue
            seen.add(key)
            via = "" if hit.kind == Kind.PLACE else hit.via
            suggestions.append(Suggestion(hit.kind, name, value, via=via))
        if len(suggestions) >= limit:
            break
    return suggestions


def _rank(vocabulary: Vocabulary, typed: tuple[str, ...]) -> dict:
    best: dict[tuple, tuple[tuple, Hit]] = {}
    for term in vocabulary.terms:
        hit = term.hit
        if hit.kind in (Kind.CONDITION, Kind.PROCEDURE, Kind.SPECIALTY) and (
            (hit.kind, hit.target) not in vocabulary.with_doctors
        ):
            continue
        quality = _completion_quality(typed, term.phrase, term.tokens)
        if not quality:
            continue
        key = (
            -quality,
            bool(hit.via),
            KIND_ORDER[hit.kind],
            hit.label,
        )
        target = (hit.kind, hit.target if not str(hit.target).startswith("city:") else hit.label)
        if target not in best or key < best[target][0]:
            best[target] = (key, hit)
    return best


# Reading the database ------------------------------------------------------------------------------


def load_vocabulary() -> Vocabulary:
    """The search vocabulary from the database, in six queries whatever the number of doctors.

    Only active doctors and open locations count. Whether a term has a doctor is an EXISTS per row
    (a count would join every doctor's conditions: about fifteen times slower at 1,000 doctors).
    """
    from django.db.models import Exists, OuterRef

    from doctors.models import Condition, Doctor, Location, Procedure, Specialty

    active = {"doctor__is_active": True, "doctor__location__is_active": True}

    def terms(model, has_doctors, *extra):
        return tuple(
            model.objects.annotate(has_doctors=has_doctors)
            .order_by("pk")
            .values_list("pk", "name", "also_known_as", "has_doctors", *extra)
        )

    treats = Doctor.conditions.through.objects.filter(condition_id=OuterRef("pk"), **active)
    performs = Doctor.procedures.through.objects.filter(procedure_id=OuterRef("pk"), **active)
    practises = Doctor.objects.active().filter(specialty_id=OuterRef("pk"))
    rows = VocabularyRows(
        conditions=terms(Condition, Exists(treats)),
        procedures=terms(Procedure, Exists(performs)),
        specialties=terms(Specialty, Exists(practises), "practitioner"),
        leads=tuple(
            Condition.lead_specialties.through.objects.order_by("pk").values_list(
                "condition_id", "specialty_id"
            )
        ),
        places=tuple(
            Location.objects.active().order_by("pk").values_list("pk", "name", "city", "also_known_as")
        ),
        doctors=tuple(
            Doctor.objects.active()
            .order_by("pk")
            .values_list("pk", "name", "slug", "specialty_id", "location_id")
        ),
    )
    return build_vocabulary(rows)


def common_conditions(limit: int = 8) -> list[str]:
    """The conditions most active doctors treat, most first (one query): links when nothing is found."""
    from django.db.models import Count, Q

    from doctors.models import Condition

    active = Q(doctors__is_active=True, doctors__location__is_active=True)
    return list(
        Condition.objects.annotate(treating=Count("doctors", filter=active, distinct=True))
        .filter(treating__gt=0)
        .order_by("-treating", "name")
        .values_list("name", flat=True)[:limit]
    )


def _group_cases(group: Group, vocabulary: Vocabulary) -> list:
    """[(condition, score)] for one group, best score first: a doctor matches the group if any holds."""
    from django.db.models import Exists, OuterRef, Q

    from doctors.models import Doctor

    treats = Doctor.conditions.through.objects
    performs = Doctor.procedures.through.objects
    cases = []
    for exact in (True, False):
        sample = {kind: Hit(kind, 0, "", exact=exact) for kind in SUBJECT_KINDS}
        if ids := group.ids(Kind.DOCTOR, exact=exact):
            cases.append((Q(pk__in=ids), sample[Kind.DOCTOR].score()))
        if ids := group.ids(Kind.SPECIALTY, exact=exact):
            cases.append((Q(specialty_id__in=ids), sample[Kind.SPECIALTY].score()))
        if ids := group.ids(Kind.CONDITION, exact=exact):
            led = treats.filter(
                doctor_id=OuterRef("pk"),
                condition_id__in=ids,
                condition__lead_specialties=OuterRef("specialty_id"),
            )
            cases.append((Q(Exists(led)), sample[Kind.CONDITION].score(lead=True)))
            cases.append(
                (
                    Q(Exists(treats.filter(doctor_id=OuterRef("pk"), condition_id__in=ids))),
                    sample[Kind.CONDITION].score(),
                )
            )
        if ids := group.ids(Kind.PROCEDURE, exact=exact):
            cases.append(
                (
                    Q(Exists(performs.filter(doctor_id=OuterRef("pk"), procedure_id__in=ids))),
                    sample[Kind.PROCEDURE].score(),
                )
            )
    places = group.ids(Kind.PLACE)
    cities = [target.removeprefix("city:") for target in places if isinstance(target, str)]
    locations = [target for target in places if isinstance(target, int)]
    if cities or locations:
        cases.append((Q(location__city__in=cities) | Q(location_id__in=locations), 0))
    for word in group.ids(Kind.TEXT):
        cases.append(
            (Q(name__icontains=word) | Q(qualifications__icontains=word) | Q(bio__icontains=word), 0)
        )
    return sorted(cases, key=lambda case: -case[1])


def filter_doctors(queryset, parsed: ParsedQuery, vocabulary: Vocabulary):
    """`queryset` narrowed to doctors matching every group of `parsed`, annotated with `relevance`."""
    from django.db.models import Case, IntegerField, Q, Value, When

    relevance = Value(0, output_field=IntegerField())
    for group in parsed.groups:
        cases = _group_cases(group, vocabulary)
        matches = Q()
        for condition, _score in cases:
            matches |= condition
        queryset = queryset.filter(matches)
        scored = [When(condition, then=Value(score)) for condition, score in cases if score]
        if scored:
            relevance = relevance + Case(*scored, default=Value(0), output_field=IntegerField())
    return queryset.annotate(relevance=relevance)


def match_reasons(doctors: list, parsed: ParsedQuery, vocabulary: Vocabulary) -> None:
    """Set `doctor.match_reasons` (a list of short sentences) on each doctor of a page, in two queries at most."""
    from django.utils.translation import gettext as _

    from doctors.models import Doctor

    ids = [doctor.pk for doctor in doctors]
    hits = [hit for group in parsed.groups for hit in group.hits]
    condition_ids = {hit.target for hit in hits if hit.kind == Kind.CONDITION}
    procedure_ids = {hit.target for hit in hits if hit.kind == Kind.PROCEDURE}
    treats = set()
    performs = set()
    if ids and condition_ids:
        treats = set(
            Doctor.conditions.through.objects.filter(
                doctor_id__in=ids, condition_id__in=condition_ids
            ).values_list("doctor_id", "condition_id")
        )
    if ids and procedure_ids:
        performs = set(
            Doctor.procedures.through.objects.filter(
                doctor_id__in=ids, procedure_id__in=procedure_ids
            ).values_list("doctor_id", "procedure_id")
        )

    def has(doctor, hit) -> bool:
        if hit.kind == Kind.CONDITION:
            return (doctor.pk, hit.target) in treats
        if hit.kind == Kind.PROCEDURE:
            return (doctor.pk, hit.target) in performs
        if hit.kind == Kind.SPECIALTY:
            return doctor.specialty_id == hit.target
        if hit.kind == Kind.TEXT:
            text = " ".join((doctor.name, doctor.qualifications, doctor.bio)).casefold()
            return str(hit.target) in _strip_accents(text)
        return False

    for doctor in doctors:
        reasons: list[str] = []
        for group in parsed.groups:
            mine = [hit for hit in group.hits if has(doctor, hit)]
            if not mine:
                continue
            hit = max(mine, key=lambda h: h.score(lead=doctor.specialty_id in h.leads))
            reason = _reason(hit, vocabulary, _)
            if reason and reason not in reasons:
                reasons.append(reason)
        doctor.match_reasons = reasons[:3]


def _reason(hit: Hit, vocabulary: Vocabulary, _) -> str:
    name = _lower_first(hit.label)
    via = hit.via if hit.via and normalise(hit.via) != normalise(hit.label) else ""
    if hit.kind == Kind.CONDITION:
        if via:
            return _("Treats %(name)s, also called %(alias)s") % {"name": name, "alias": via}
        return _("Treats %(name)s") % {"name": name}
    if hit.kind == Kind.PROCEDURE:
        if via:
            return _("Performs %(name)s, also called %(alias)s") % {"name": name, "alias": via}
        return _("Performs %(name)s") % {"name": name}
    if hit.kind == Kind.SPECIALTY:
        return vocabulary.practitioners.get(hit.target, hit.label)
    if hit.kind == Kind.TEXT:
        return _("Profile mentions “%(word)s”") % {"word": hit.target}
    return ""


def _lower_first(label: str) -> str:
    """ "Sciatica" -> "sciatica" for use inside a sentence; acronyms ("MIS TLIF") stay as they are."""
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first[1:].islower():
        return label[0].lower() + label[1:]
    return label


def alternatives(parsed: ParsedQuery, vocabulary: Vocabulary) -> list[str]:
    """Queries to offer as "Did you mean ...?" when `parsed` found nobody, most likely first.

    Unknown words spelt like a term become that term; a query of several parts is also offered
    without its place ("in any city") and part by part. The caller keeps those that find doctors.
    """
    candidates: list[str] = []
    groups = parsed.groups
    if any(group.is_text for group in groups):
        options = [[group.corrected_to or " ".join(group.words)] for group in groups]
        for index, group in enumerate(groups):
            if group.is_text:
                options[index] = vocabulary.close_terms(" ".join(group.words)) or [""]
        for choice in range(3):
            words = [opts[min(choice, len(opts) - 1)] for opts in options]
            candidates.append(" ".join(word for word in words if word))
        whole = vocabulary.close_terms(parsed.text)
        candidates.extend(whole)
    if len(groups) > 1:
        subjects = [g for g in groups if not g.is_place and not g.is_text]
        candidates.append(" ".join(g.corrected_to or " ".join(g.words) for g in subjects))
        for group in subjects:
            candidates.append(group.corrected_to or " ".join(group.words))
    current = " ".join(normalise(parsed.understood))
    unique = []
    for candidate in candidates:
        key = " ".join(normalise(candidate))
        if key and key != current and key not in {" ".join(normalise(u)) for u in unique}:
            unique.append(candidate)
    return unique
