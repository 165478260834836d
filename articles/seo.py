"""schema.org JSON-LD for article pages: MedicalWebPage, FAQPage and BreadcrumbList (SPEC 3.8)."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from doctors.seo import breadcrumbs, physician_reference


def medical_web_page(article, request) -> dict:
    url = request.build_absolute_uri(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "@id": url,
        "url": url,
        "name": article.title,
        "headline": article.title,
        "description": article.summary,
        "inLanguage": settings.LANGUAGE_CODE,
        "audience": {"@type": "PeopleAudience", "audienceType": "Patient"},
        "author": physician_reference(article.author, request),
        "reviewedBy": physician_reference(article.reviewer, request),
        "lastReviewed": article.last_reviewed_on.isoformat(),
        "dateModified": article.updated_on.isoformat(),  # the editorial date the page shows
        "publisher": {
            "@type": "MedicalOrganization",
            "name": settings.CLINIC_NAME,
            "url": request.build_absolute_uri(reverse("home")),
        },
        "articleSection": article.category.name,
        "about": [{"@type": "MedicalCondition", "name": c.name} for c in article.conditions.all()],
        "specialty": [s.name for s in article.specialties.all()],
    }
    if article.published_at:
        data["datePublished"] = article.published_at.isoformat(timespec="seconds")
    if article.hero_image:
        data["image"] = request.build_absolute_uri(article.hero_image.url)
    return data


def faq_page(article, request) -> dict | None:
    faqs = list(article.faqs.all())
    if not faqs:
        return None
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "url": request.build_absolute_uri(article.get_absolute_url()),
        "mainEntity": [
            {
                "@type": "Question",
                "name": faq.question,
                "acceptedAnswer": {"@type": "Answer", "text": faq.answer},
            }
            for faq in faqs
        ],
    }


def article_breadcrumbs(article, request) -> dict:
    return breadcrumbs(
        request,
        [
            (_("Home"), reverse("home")),
            (_("Articles"), reverse("articles:list")),
            (article.category.name, article.category.get_absolute_url()),
            (article.title, article.get_absolute_url()),
        ],
    )
