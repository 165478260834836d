import pytest
from django.core.management import call_command
from django.utils import timezone

from articles import demo
from articles.models import FAQ, Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(client):
    call_command("seed_demo")
    return Article.objects.published()


def test_seed_demo_writes_the_miss_section_once(seeded):
    counts = (Article.objects.count(), FAQ.objects.count())
    call_command("seed_demo")
    assert (Article.objects.count(), FAQ.objects.count()) == counts
    long_reads = [a for a in seeded if len(a.body.split()) >= 1200]
    assert len(long_reads) >= 2
    assert all(a.faqs.count() >= 5 for a in long_reads)
    assert seeded.filter(category__name="Musculoskeletal Disorders").count() >= 6


@pytest.mark.parametrize("row", demo.ARTICLES, ids=[row[0] for row in demo.ARTICLES])
def test_every_demo_article_is_tagged_with_real_specialties_and_conditions(seeded, row):
    slug, specialties, conditions = row[0], row[7], row[8]
    article = Article.objects.get(slug=slug)
    assert article.specialties.count() == len(specialties)
    assert article.conditions.count() == len(conditions)
    assert article.author_id != article.reviewer_id


def test_every_demo_article_page_leads_to_a_bookable_specialist(client, seeded):
    for article in seeded:
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert response.context["specialists"], article.slug
        assert "Book Appt." in response.content.decode()


def test_the_miss_articles_cover_the_topics_the_spec_lists(seeded):
    text = " ".join(a.body.lower() for a in seeded)
    for topic in [
        "small incision",
        "endoscop",
        "fluoroscop",
        "muscle",
        "discectomy",
        "fusion",
        "vertebroplasty",
        "kyphoplasty",
        "laminectomy",
        "foraminotomy",
        "benefits",
        "risks",
        "candidate",
        "step by step",
        "recovery",
        "where the field is heading",
    ]:
        assert topic in text, topic


def test_seed_demo_generates_synthetic_articles_once():
    call_command("seed_demo", articles=25)
    call_command("seed_demo", articles=25)
    synthetic = Article.objects.published().filter(slug__startswith="synthetic-")
    assert synthetic.count() == 25
    assert all(a.body_html and a.toc for a in synthetic)


def test_demo_articles_were_last_updated_no_later_than_their_last_review(seeded):
    for article in seeded:
        assert article.updated_on <= article.last_reviewed_on, article.slug
        assert article.updated_on <= timezone.localdate()
