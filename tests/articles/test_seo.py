import datetime
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from articles.models import ArticleStatus
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    ConditionFactory,
    DoctorFactory,
    FAQFactory,
    LocationFactory,
    ProcedureFactory,
    SpecialtyFactory,
)

pytestmark = pytest.mark.django_db

JSON_LD = re.compile(r'<script type="application/ld\+json"([^>]*)>(.*?)</script>', re.S)


def json_ld(response) -> dict:
    """Every JSON-LD block on the page by @type; data blocks carry no nonce (none is needed, and a cached
    page must stay valid as it is)."""
    html = response.content.decode()
    blocks = JSON_LD.findall(html)
    assert blocks, "no JSON-LD on the page"
    for attributes, _ in blocks:
        assert attributes == ""
    return {data["@type"]: data for data in (json.loads(text) for _, text in blocks)}


def test_an_article_carries_medical_web_page_faq_and_breadcrumb_json_ld(client):
    author, reviewer = DoctorFactory(name="Dr. Author"), DoctorFactory(name="Dr. Reviewer")
    article = ArticleFactory(
        title="Spine surgery",
        author=author,
        reviewer=reviewer,
        conditions=[ConditionFactory(name="Sciatica")],
    )
    FAQFactory(article=article, question="Does it hurt?", answer="Less than open surgery.")

    data = json_ld(client.get(article.get_absolute_url()))

    page = data["MedicalWebPage"]
    assert page["@context"] == "https://schema.org"
    assert page["name"] == "Spine surgery"
    assert page["author"] == {
        "@type": "Physician",
        "@id": f"http://testserver{author.get_absolute_url()}#physician",
        "name": "Dr. Author",
        "url": f"http://testserver{author.get_absolute_url()}",
    }
    assert page["reviewedBy"]["url"] == f"http://testserver{reviewer.get_absolute_url()}"
    assert page["lastReviewed"] == article.last_reviewed_on.isoformat()
    assert page["dateModified"] == article.updated_on.isoformat()  # the editorial date, as the page shows it
    assert datetime.datetime.fromisoformat(page["datePublished"]) == article.published_at.replace(
        microsecond=0
    )
    assert page["about"] == [{"@type": "MedicalCondition", "name": "Sciatica"}]
    question = data["FAQPage"]["mainEntity"][0]
    assert question["name"] == "Does it hurt?"
    assert question["acceptedAnswer"]["text"] == "Less than open surgery."
    crumbs = data["BreadcrumbList"]["itemListElement"]
    assert [c["name"] for c in crumbs] == ["Home", "Articles", article.category.name, "Spine surgery"]


def test_json_ld_cannot_be_broken_out_of_by_an_editor(client):
    article = ArticleFactory(title="</script><script>alert(1)</script>")
    FAQFactory(article=article, question="<!-- </script>?", answer="&amp;")
    response = client.get(article.get_absolute_url())
    assert b"<script>alert(1)" not in response.content
    data = json_ld(response)
    assert data["MedicalWebPage"]["name"] == "</script><script>alert(1)</script>"
    assert data["FAQPage"]["mainEntity"][0]["acceptedAnswer"]["text"] == "&amp;"


def test_a_doctor_profile_carries_physician_json_ld(client):
    doctor = DoctorFactory(
        name="Dr. Meera Kulkarni",
        qualifications="MBBS, MS (Ortho)",
        specialty=SpecialtyFactory(name="Spine Surgery"),
        conditions=[ConditionFactory(name="Sciatica")],
        procedures=[ProcedureFactory(name="Microdiscectomy")],
        location=LocationFactory(city="Pune"),
    )
    physician = json_ld(client.get(doctor.get_absolute_url()))["Physician"]
    assert physician["name"] == "Dr. Meera Kulkarni"
    assert physician["url"] == f"http://testserver{doctor.get_absolute_url()}"
    assert physician["medicalSpecialty"] == "Spine Surgery"
    assert [c["name"] for c in physician["hasCredential"]] == ["MBBS", "MS (Ortho)"]
    assert physician["address"]["addressLocality"] == "Pune"
    assert physician["knowsAbout"] == ["Sciatica"]
    assert physician["availableService"][0]["name"] == "Microdiscectomy"


def test_a_location_page_carries_medical_clinic_json_ld(client):
    location = LocationFactory(
        name="Whitefield", address="48 ITPL Main Road\nWhitefield", phone="+918040005678"
    )
    clinic = json_ld(client.get(location.get_absolute_url()))["MedicalClinic"]
    assert clinic["name"] == "Whitefield"
    assert clinic["url"] == f"http://testserver{location.get_absolute_url()}"
    assert clinic["address"]["streetAddress"] == "48 ITPL Main Road Whitefield"
    assert clinic["telephone"] == "+918040005678"


def _sitemap_urls(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    entries = root.findall("s:url", ns)
    assert all(entry.find("s:lastmod", ns).text for entry in entries)
    return {entry.find("s:loc", ns).text.removeprefix("http://testserver") for entry in entries}


def test_the_sitemap_lists_published_and_active_items_only(client):
    article = ArticleFactory()
    draft = ArticleFactory(status=ArticleStatus.DRAFT, published_at=None, category=CategoryFactory())
    retired = DoctorFactory(is_active=False)
    closed = LocationFactory(is_active=False)

    urls = _sitemap_urls(client)

    for item in [
        article,
        article.author,
        article.author.specialty,
        article.author.location,
        article.category,
    ]:
        assert item.get_absolute_url() in urls
    for item in [draft, draft.category, retired, closed]:
        assert item.get_absolute_url() not in urls


def test_the_feed_is_rss_with_published_articles_only(client):
    published = ArticleFactory(title="Published one", summary="About discs.")
    ArticleFactory(title="Draft one", status=ArticleStatus.DRAFT)
    response = client.get(reverse("articles:feed"))
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["Published one"]
    assert items[0].findtext("description") == "About discs."
    assert items[0].findtext("link") == f"http://testserver{published.get_absolute_url()}"


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_private_paths(client, settings):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    for path in [f"/{settings.ADMIN_URL}", "/a/", "/staff/"]:
        assert f"Disallow: {path}\n" in text


@pytest.mark.parametrize("page", ["home", "list", "article", "category", "doctor", "location"])
def test_every_public_page_has_a_canonical_link_and_open_graph_tags(client, page):
    article = ArticleFactory(title="Canonical article", summary="Summary for sharing.")
    url = {
        "home": "/",
        "list": reverse("articles:list"),
        "article": article.get_absolute_url(),
        "category": article.category.get_absolute_url(),
        "doctor": article.author.get_absolute_url(),
        "location": article.author.location.get_absolute_url(),
    }[page]
    response = client.get(url)
    assertContains(response, f'<link rel="canonical" href="http://testserver{url}">')
    for prop in ["og:title", "og:description", "og:url", "og:type"]:
        assertContains(response, f'<meta property="{prop}" content="')
    if page == "article":
        assertContains(response, '<meta property="og:title" content="Canonical article">')
        assertContains(response, '<meta property="og:description" content="Summary for sharing.">')
        assertContains(response, '<meta property="og:type" content="article">')
