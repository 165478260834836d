import re
from html import escape

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


# URLs: what a browser would read as another host or a script -----------------------------------
# Every trick names evil.example; a browser that followed it would leave our site (or run a script).
URL_TRICKS = [
    ("protocol-relative", "//evil.example/i.png"),
    ("slash backslash", "/\\evil.example/i.png"),
    ("backslash backslash", "\\\\evil.example/i.png"),
    ("backslash slash", "\\/evil.example/i.png"),
    ("encoded backslash", "/%5Cevil.example/i.png"),
    ("encoded backslash, lower case", "/%5cevil.example/i.png"),
    ("encoded second slash", "/%2Fevil.example/i.png"),
    ("backslash later in the path", "/media/..\\..\\evil.example/i.png"),
    ("space before the slashes", " //evil.example/i.png"),
    ("tab before slash backslash", "\t/\\evil.example/i.png"),
    ("tab between the slashes", "/\t/evil.example/i.png"),
    ("newline between the slashes", "/\n/evil.example/i.png"),
    ("control character before the slashes", "\x01//evil.example/i.png"),
    ("http", "http://evil.example/i.png"),
    ("http, upper case", "HTTP://evil.example/i.png"),
    ("ftp", "ftp://evil.example/i.png"),
    ("file", "file://evil.example/share/i.png"),
    ("https without slashes", "https:evil.example/i.png"),
    ("https with one slash", "https:/evil.example/i.png"),
    ("https with backslashes", "https:\\\\evil.example/i.png"),
    ("https with a user name hiding the host", "https://clinic.example@evil.example/i.png"),
    ("https with backslash before @", "https://evil.example\\@clinic.example/i.png"),
    ("javascript", "javascript:alert('evil.example')"),
    ("javascript, mixed case", "JaVaScRiPt:alert('evil.example')"),
    ("javascript, upper case", "JAVASCRIPT:alert('evil.example')"),
    ("javascript with a tab in the scheme", "java\tscript:alert('evil.example')"),
    ("javascript with a newline in the scheme", "java\nscript:alert('evil.example')"),
    ("javascript with a carriage return in the scheme", "java\rscript:alert('evil.example')"),
    ("javascript after a space", " javascript:alert('evil.example')"),
    ("javascript after a control character", "\x0ejavascript:alert('evil.example')"),
    ("vbscript", "vbscript:msgbox('evil.example')"),
    ("data html", "data:text/html;base64,PHNjcmlwdD5ldmlsLmV4YW1wbGU8L3NjcmlwdD4="),
    ("data svg", "data:image/svg+xml,<svg onload=alert('evil.example')>"),
    ("mailto with headers", "mailto:care@clinic.example?bcc=spy@evil.example"),
    ("mailto with two addresses", "mailto:care@clinic.example,spy@evil.example"),
]
# The same URLs written with HTML character references, as an editor could paste them.
ENCODED_TRICKS = [
    ("decimal reference", "<a href=\"&#106;avascript:alert('evil.example')\">x</a>"),
    ("padded decimal reference", "<a href=\"&#0000106;avascript:alert('evil.example')\">x</a>"),
    ("hex reference", "<a href=\"&#x6A;avascript:alert('evil.example')\">x</a>"),
    ("named colon", "<a href=\"javascript&colon;alert('evil.example')\">x</a>"),
    ("tab reference in the scheme", "<a href=\"jav&#x09;ascript:alert('evil.example')\">x</a>"),
    ("named newline in the scheme", "<a href=\"jav&NewLine;ascript:alert('evil.example')\">x</a>"),
    ("encoded slash backslash", '<a href="&#47;&#92;evil.example/">x</a>'),
    ("encoded slash slash", '<a href="&#x2F;&#x2F;evil.example/">x</a>'),
    ("encoded slash backslash image", '<img alt="x" src="&#47;&#92;evil.example/i.png">'),
    ("named solidus image", '<img alt="x" src="&sol;&bsol;evil.example/i.png">'),
]


def _attributes(html: str) -> list[str]:
    return re.findall(r'\s(?:href|src)="[^"]*"', html)


def test_the_issues_backslash_image_is_not_shown():
    html = render_markdown("![i](/\\evil.example/i.png)").html
    assert "<img" not in html
    assert html == "<p>i</p>"  # the alt text stays


@pytest.mark.parametrize(("case", "url"), URL_TRICKS, ids=[case for case, _ in URL_TRICKS])
def test_an_image_url_trick_is_dropped_with_its_image(case, url):
    html = render_markdown(f'<p><img alt="Spine model" src="{escape(url)}"></p>').html
    assert "<img" not in html, f"{case}: {html!r}"
    assert "Spine model" in html  # replaced by its alt text


@pytest.mark.parametrize(("case", "url"), URL_TRICKS, ids=[case for case, _ in URL_TRICKS])
def test_a_link_url_trick_is_dropped_and_its_text_kept(case, url):
    html = render_markdown(f'<p>See <a href="{escape(url)}" title="More">our <b>guide</b></a>.</p>').html
    assert html == "<p>See our <b>guide</b>.</p>", f"{case}: {html!r}"


@pytest.mark.parametrize(("case", "body"), ENCODED_TRICKS, ids=[case for case, _ in ENCODED_TRICKS])
def test_character_references_do_not_smuggle_a_url(case, body):
    html = render_markdown(body).html
    assert _attributes(html) == [], f"{case}: {html!r}"
    assert "evil.example" not in html


@pytest.mark.parametrize(
    "body",
    [
        "[guide](//evil.example/)",
        "[guide](/\\evil.example/)",
        "[guide](<javascript:alert('evil.example')>)",
        "[guide](http://evil.example/)",
        "![i](//evil.example/i.png)",
        "![i](https://evil.example/i.png)",
        "![i](/%5Cevil.example/i.png)",
    ],
)
def test_markdown_links_and_images_follow_the_same_rules(body):
    html = render_markdown(body).html
    assert _attributes(html) == []
    assert "evil.example" not in html


@pytest.mark.parametrize(
    ("url", "served"),
    [
        ("/media/articles/spine.png", "/media/articles/spine.png"),
        ("/doctors/?q=sciatica&sort=experience#results", "/doctors/?q=sciatica&amp;sort=experience#results"),
        ("/media/disc%20model.png", "/media/disc%20model.png"),
        (" /media/spine.png", "/media/spine.png"),  # what the browser reads: leading space dropped
    ],
)
def test_same_site_paths_stay_for_images_and_links(url, served):
    image = render_markdown(f'<img alt="x" src="{escape(url)}">').html
    link = render_markdown(f'<a href="{escape(url)}">x</a>').html
    assert f'src="{served}"' in image
    assert f'href="{served}"' in link


@pytest.mark.parametrize(
    ("url", "served"),
    [
        ("https://www.nhs.uk/conditions/sciatica/", "https://www.nhs.uk/conditions/sciatica/"),
        ("HTTPS://example.org/a?b=1#c", "https://example.org/a?b=1#c"),
        ("#recovery", "#recovery"),
        ("mailto:care@spineclinic.example", "mailto:care@spineclinic.example"),
        ("MAILTO:care@spineclinic.example", "mailto:care@spineclinic.example"),
        ("tel:+918040001234", "tel:+918040001234"),
        ("tel:+91-80-4000-1234", "tel:+91-80-4000-1234"),
    ],
)
def test_links_may_go_to_https_sites_anchors_email_and_phone(url, served):
    html = render_markdown(f'<a href="{escape(url)}">x</a>').html
    assert f'href="{served}"' in html


@pytest.mark.parametrize(
    "url", ["https://www.nhs.uk/x.png", "#top", "mailto:a@b.example", "tel:+918040001234"]
)
def test_images_come_only_from_this_site(url):
    assert "<img" not in render_markdown(f'<img alt="x" src="{escape(url)}">').html


def test_a_refused_link_inside_a_list_keeps_the_markup_around_it():
    html = render_markdown("- [one](//evil.example/)\n- [two](/doctors/)\n- three").html
    assert html == (
        '<ul>\n<li>one</li>\n<li><a href="/doctors/" rel="noopener noreferrer">two</a></li>\n<li>three</li>\n</ul>'
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '<img src="/media/a.png" alt="Disc" width="100px" height="80">',
            '<img src="/media/a.png" alt="Disc" height="80">',
        ),
        ('<img src="/media/a.png" alt="Disc" width="0">', '<img src="/media/a.png" alt="Disc">'),
        ('<img src="/media/a.png">', '<img alt="" src="/media/a.png">'),
        (
            '<table><tr><th scope="ROW" colspan="two">a</th><td rowspan="2">b</td></tr></table>',
            '<table><tbody><tr><th scope="row">a</th><td rowspan="2">b</td></tr></tbody></table>',
        ),
    ],
)
def test_attribute_values_html_would_reject_are_dropped(body, expected):
    assert expected in render_markdown(body).html
