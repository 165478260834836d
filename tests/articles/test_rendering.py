import pytest

from articles.rendering import fingerprint, render_markdown

HOSTILE = [
    ("script tag", "Hello <script>alert('x')</script> there"),
    ("script in markdown heading", "## Title <script>alert(1)</script>"),
    ("img onerror", '<img src="/media/a.png" onerror="alert(1)">'),
    ("svg onload", '<svg onload="alert(1)"><circle r="5"/></svg>'),
    ("event handler on a link", '<a href="https://example.org" onclick="alert(1)">x</a>'),
    ("javascript: markdown link", "[click me](javascript:alert(1))"),
    ("javascript: html link", '<a href="javascript:alert(1)">click</a>'),
    ("obfuscated javascript: link", '<a href="jav&#x09;ascript:alert(1)">click</a>'),
    ("data: link", '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'),
    ("iframe", '<iframe src="https://evil.example/"></iframe>'),
    ("object embed", '<object data="https://evil.example/x.swf"></object><embed src="x">'),
    ("style attribute", '<p style="position:fixed;top:0">covering the page</p>'),
    ("style element", "<style>body { display: none }</style>"),
    ("form", '<form action="https://evil.example/"><input name="card"></form>'),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example/">'),
    ("remote image (third-party request)", "![tracker](https://evil.example/pixel.gif)"),
    ("protocol-relative image", '<img src="//evil.example/pixel.gif">'),
]
FORBIDDEN = [
    "<script",
    "onerror",
    "onload",
    "onclick",
    "javascript:",
    "data:",
    "<iframe",
    "<object",
    "<embed",
    "style=",
    "<style",
    "<form",
    "<input",
    "<meta",
    "<svg",
    "evil.example",
]


@pytest.mark.parametrize(("case", "body"), HOSTILE, ids=[case for case, _ in HOSTILE])
def test_hostile_input_renders_inert(case, body):
    html = render_markdown(body).html.lower()
    for marker in FORBIDDEN:
        assert marker not in html, f"{case}: {marker!r} survived in {html!r}"


def test_ordinary_markdown_survives_sanitising():
    html = render_markdown(
        'Some **bold** and *soft* words, [a link](https://example.org "Title") and `code`.\n\n'
        "> A quote\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![Spine model](/media/spine.png)"
    ).html
    for fragment in [
        "<strong>bold</strong>",
        "<em>soft</em>",
        '<a href="https://example.org" title="Title" rel="noopener noreferrer">a link</a>',
        "<code>code</code>",
        "<blockquote>",
        "<li>one</li>",
        "<td>1</td>",
        '<img alt="Spine model" src="/media/spine.png">',
    ]:
        assert fragment in html


def test_headings_get_ids_that_feed_the_table_of_contents():
    rendered = render_markdown(
        "## What is MISS & why?\n\nText\n\n### Small *incisions*\n\nText\n\n## Recovery\n\nText"
    )
    assert '<h2 id="what-is-miss-why">' in rendered.html
    assert '<h3 id="small-incisions">' in rendered.html
    assert rendered.toc == [
        {
            "id": "what-is-miss-why",
            "title": "What is MISS & why?",
            "children": [{"id": "small-incisions", "title": "Small incisions", "children": []}],
        },
        {"id": "recovery", "title": "Recovery", "children": []},
    ]


def test_hand_written_heading_ids_that_are_not_slugs_are_dropped():
    assert render_markdown('<h2 id="x&quot; onmouseover=&quot;a">T</h2>').html == "<h2>T</h2>"


@pytest.mark.parametrize(("words", "minutes"), [(1, 1), (200, 1), (201, 2), (1000, 5)])
def test_reading_time_is_words_over_200_rounded_up(words, minutes):
    assert render_markdown(" ".join(["word"] * words)).reading_minutes == minutes


def test_the_fingerprint_changes_with_the_body():
    assert fingerprint("a") == fingerprint("a")
    assert fingerprint("a") != fingerprint("b")
