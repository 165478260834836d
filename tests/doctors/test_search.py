"""The search vocabulary and query reading (doctors/search.py), on plain rows: no database."""

import pytest

from doctors.search import Kind, Vocabulary, VocabularyRows, alternatives, normalise, singular, suggest

# (id, name, also known as, has an active doctor[, practitioner])
ROWS = VocabularyRows(
    conditions=(
        (1, "Slipped disc", "herniated disc, slip disc, disc prolapse", True),
        (2, "Sciatica", "leg pain", True),
        (3, "Chronic low back pain", "back pain, backache", True),
        (4, "Ankylosing spondylitis", "inflammatory back pain", True),
        (5, "Spondylosis", "spinal arthritis", False),  # nobody treats it: never suggested
    ),
    procedures=((1, "Kyphoplasty", "balloon kyphoplasty", True), (2, "Endoscopic discectomy", "", True)),
    specialties=(
        (1, "Spine Surgery", "spinal surgeon", True, "Spine surgeon"),
        (2, "Physiotherapy and Rehabilitation", "physio", True, "Physiotherapist"),
    ),
    leads=((2, 1),),
    places=(
        (1, "Spine Care Clinic, Whitefield", "Bengaluru", "Bangalore"),
        (2, "Spine Care Clinic, Koregaon Park", "Pune", ""),
    ),
    doctors=(
        (1, "Dr. Vikram Shetty", "vikram-shetty", 1, 1),
        (2, "Dr. Meera Kulkarni", "meera-kulkarni", 1, 2),
    ),
)


@pytest.fixture(scope="module")
def vocabulary():
    return Vocabulary(ROWS)


def read(vocabulary, text):
    """[(words, {(kind, target)}, exact kinds, corrected)] for each group of a parsed query."""
    return [
        (" ".join(g.words), {(h.kind, h.target) for h in g.hits if h.exact}, g.corrected_to)
        for g in vocabulary.parse(text).groups
    ]


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Dr. Shetty", ("shetty",)),
        ("dr shetty", ("shetty",)),
        ("DOCTOR Shetty's", ("shetty",)),
        ("Slipped Discs!!", ("slipped", "disc")),
        ("slip-disc", ("slip", "disc")),
        ("Orthopädie", ("orthopadie",)),
        ("surgeries", ("surgery",)),
        ("vertebrae", ("vertebra",)),
        ("stenosis", ("stenosis",)),  # -is words keep their s
        ("best doctor for sciatica near me", ("sciatica",)),
        ("doctors", ()),
    ],
)
def test_normalise_drops_case_accents_punctuation_titles_fillers_and_plurals(text, tokens):
    assert normalise(text) == tokens


@pytest.mark.parametrize(("word", "singular_form"), [("discs", "disc"), ("bus", "bus"), ("class", "class")])
def test_singular_is_simple_and_leaves_latin_and_short_words(word, singular_form):
    assert singular(word) == singular_form


def test_an_alias_is_an_exact_match_for_its_condition(vocabulary):
    assert read(vocabulary, "herniated disc") == [("herniated disc", {(Kind.CONDITION, 1)}, "")]


def test_word_order_does_not_matter_for_a_phrase(vocabulary):
    assert read(vocabulary, "pain back")[0][1] == {(Kind.CONDITION, 3)}


def test_a_phrase_inside_a_longer_term_is_a_partial_hit(vocabulary):
    (group,) = vocabulary.parse("back pain").groups
    partial = {(h.kind, h.target) for h in group.hits if not h.exact}
    assert partial == {(Kind.CONDITION, 4)}  # "inflammatory back pain"


@pytest.mark.parametrize(
    ("text", "target", "corrected"),
    [
        ("sciatca", (Kind.CONDITION, 2), "Sciatica"),
        ("siatica", (Kind.CONDITION, 2), "Sciatica"),
        ("herniatd disc", (Kind.CONDITION, 1), "herniated disc"),
        ("kyphoplsty", (Kind.PROCEDURE, 1), "Kyphoplasty"),
    ],
)
def test_a_misspelling_is_read_as_the_closest_term_and_said(vocabulary, text, target, corrected):
    ((_, exact, corrected_to),) = read(vocabulary, text)
    assert exact == {target}
    assert corrected_to == corrected


def test_a_misspelt_name_word_is_corrected(vocabulary):
    (group,) = vocabulary.parse("kulkarny").groups
    assert {(h.kind, h.target) for h in group.hits} == {(Kind.DOCTOR, 2)}
    assert group.corrected_to == "kulkarni"


@pytest.mark.parametrize(
    ("text", "words"),
    [("backpain", ["back pain"]), ("legpain", ["leg pain"]), ("kypho plasty", ["kyphoplasty"])],
)
def test_joined_and_split_words_are_repaired(vocabulary, text, words):
    assert [w for w, *_ in read(vocabulary, text)] == words


def test_a_short_word_is_not_guessed_at(vocabulary):
    """Four letters are too few for typo matching ("disk" is not "disc"); it stays free text."""
    (group,) = vocabulary.parse("dosc").groups
    assert group.is_text


def test_a_query_across_fields_makes_one_group_per_part(vocabulary):
    groups = vocabulary.parse("sciatica in bangalore shetty").groups
    assert [" ".join(g.words) for g in groups] == ["sciatica", "bangalore", "shetty"]
    assert groups[1].is_place
    assert {h.target for h in groups[2].hits} == {1}


def test_a_word_shared_by_every_clinic_name_is_not_a_place(vocabulary):
    (group,) = vocabulary.parse("spine").groups
    assert not any(hit.kind == Kind.PLACE for hit in group.hits)
    assert (Kind.SPECIALTY, 1) in {(h.kind, h.target) for h in group.hits}


def test_a_word_beginning_matches_the_word(vocabulary):
    (group,) = vocabulary.parse("kypho").groups
    assert {(h.kind, h.target) for h in group.hits} == {(Kind.PROCEDURE, 1)}


def test_unknown_words_become_free_text(vocabulary):
    assert vocabulary.parse("xyzzy").unknown_words == ["xyzzy"]


def test_lead_conditions_score_above_other_exact_conditions():
    (group,) = Vocabulary(ROWS).parse("sciatica").groups
    (hit,) = group.hits
    assert hit.score(lead=True) > hit.score(lead=False) > 0


def test_alternatives_offer_a_close_term_and_the_query_without_its_place(vocabulary):
    assert alternatives(vocabulary.parse("sciatca xqzt"), vocabulary)[0] == "Sciatica"
    assert alternatives(vocabulary.parse("kyphoplasy"), vocabulary) == []  # corrected, nothing to offer
    assert "physio" in alternatives(vocabulary.parse("physio pune"), vocabulary)


# Suggestions ---------------------------------------------------------------------------------------


def values(vocabulary, text):
    return [s.value for s in suggest(vocabulary, text)]


def test_suggestions_complete_a_term_and_name_the_alias_that_matched(vocabulary):
    (first,) = suggest(vocabulary, "herni")
    assert (first.kind, first.value, first.via) == (Kind.CONDITION, "Slipped disc", "herniated disc")


def test_suggestions_complete_a_doctor_with_a_link(vocabulary):
    (doctor,) = suggest(vocabulary, "dr shet")
    assert (doctor.kind, doctor.slug, doctor.detail) == (
        Kind.DOCTOR,
        "vikram-shetty",
        "Spine Surgery, Bengaluru",
    )


def test_suggestions_complete_the_last_word_after_a_term(vocabulary):
    assert values(vocabulary, "sciatica pu")[0] == "sciatica Pune"


def test_suggestions_offer_a_place_by_the_name_typed(vocabulary):
    assert values(vocabulary, "bang") == ["Bangalore"]


def test_suggestions_forgive_a_typo(vocabulary):
    assert values(vocabulary, "sciatca") == ["Sciatica"]


def test_suggestions_leave_out_terms_no_doctor_has(vocabulary):
    assert "Spondylosis" not in values(vocabulary, "spondylo")


@pytest.mark.parametrize("text", ["", " ", "a", "dr", "?!"])
def test_no_suggestions_for_nothing_typed(vocabulary, text):
    assert suggest(vocabulary, text) == []
