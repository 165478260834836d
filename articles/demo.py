"""Demo articles for the MISS section: written for this project, authored and reviewed by the fictional
demo doctors of `doctors/demo.py`.

`seed` is idempotent: articles are matched by slug; their text is refreshed, their dates are kept.
"""

import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from articles.models import FAQ, Article, ArticleStatus, Category
from articles.rendering import fingerprint, render_markdown
from articles.services import article_save
from doctors.models import Condition, Doctor, Specialty

CONTENT_DIR = Path(__file__).resolve().parent / "demo_content"

CATEGORY = {
    "slug": "musculoskeletal-disorders",
    "name": "Musculoskeletal Disorders",
    "description": "Back and neck conditions, and the treatments our spine team offers for them.",
}

# slug, title, summary, author, reviewer, days since published, days since reviewed,
# specialty slugs, condition slugs, FAQ entries
ARTICLES = [
    (
        "minimally-invasive-spine-surgery-explained",
        "Minimally invasive spine surgery: what it is and how it differs from open surgery",
        "How keyhole spine surgery works, why it usually means less pain and a quicker recovery, its risks "
        "and limits, and who is likely to benefit.",
        "meera-kulkarni",
        "vikram-shetty",
        40,
        40,
        ["spine-surgery", "neurosurgery"],
        ["slipped-disc", "lumbar-spinal-stenosis", "spondylolisthesis", "degenerative-disc-disease"],
        [
            (
                "Is minimally invasive spine surgery the same as laser spine surgery?",
                "No. Minimally invasive spine surgery uses small incisions, tubes, microscopes or endoscopes and "
                "live X-ray guidance. Lasers are rarely needed and are not what makes an operation minimally "
                "invasive. Be cautious of any clinic that promises a 'laser cure' for back pain.",
            ),
            (
                "How big will my scar be?",
                "It depends on the operation. A discectomy is often done through a single cut of about two "
                "centimetres. A fusion may need two to four small cuts of one to three centimetres each. Your "
                "surgeon can tell you what to expect for your operation.",
            ),
            (
                "Will I be awake during the operation?",
                "Most minimally invasive spine operations are done under general anaesthesia, so you are asleep. "
                "Some endoscopic procedures, and vertebroplasty or kyphoplasty, can be done with local "
                "anaesthetic and sedation. The anaesthetist will discuss the options with you.",
            ),
            (
                "Is minimally invasive surgery safer than open surgery?",
                "It usually means less blood loss, less pain and a lower risk of wound infection, but it still "
                "carries the risks of any spine operation, such as nerve injury or a spinal fluid leak. The "
                "surgeon's experience and choosing the right operation matter as much as the size of the cut.",
            ),
            (
                "Can every spine problem be treated this way?",
                "No. Many disc problems, stenosis, slipped vertebrae and some fractures can be. Large "
                "deformities, complex repeat operations and some tumours may still need open surgery. Sometimes "
                "a surgeon changes to open surgery during the operation because it is safer.",
            ),
            (
                "How soon can I walk after surgery?",
                "Most people walk, with help, on the same day or the next morning. Walking early is encouraged "
                "because it speeds recovery and lowers the risk of blood clots.",
            ),
        ],
    ),
    (
        "miss-procedures-and-recovery",
        "Minimally invasive spine procedures and recovery: a step-by-step guide",
        "Discectomy, decompression, fusion, vertebroplasty and kyphoplasty explained, with what happens before, "
        "during and after the operation and a realistic recovery timeline.",
        "rohan-deshpande",
        "arjun-venkatesh",
        25,
        25,
        ["spine-surgery", "neurosurgery", "physiotherapy-and-rehabilitation"],
        ["slipped-disc", "sciatica", "lumbar-spinal-stenosis", "vertebral-compression-fracture"],
        [
            (
                "How long will I stay in hospital?",
                "Many people go home the same day or the next day after a discectomy or decompression, and "
                "within two to four days after a minimally invasive fusion. It depends on your operation, your "
                "general health and how quickly you are walking comfortably.",
            ),
            (
                "When can I return to work?",
                "Desk work is often possible after two to four weeks following a discectomy or decompression, "
                "and after six to twelve weeks following a fusion. Heavy manual work takes longer. Your surgeon "
                "will advise you based on your job and your recovery.",
            ),
            (
                "When can I drive again?",
                "Usually once you can sit comfortably, turn to look over your shoulder and brake hard without "
                "pain, and you no longer take medicines that make you drowsy. After a discectomy this is often "
                "one to two weeks. Check with your surgeon and your insurer.",
            ),
            (
                "Will the screws and rods from a fusion need to come out?",
                "Usually not. They are designed to stay in place for life. They hold the spine steady while the "
                "bone heals, and are only removed in uncommon situations such as infection or irritation.",
            ),
            (
                "Do I need physiotherapy after surgery?",
                "Walking every day is the most important exercise at first. Many people then benefit from a "
                "physiotherapy programme to strengthen the back and core muscles and build confidence in "
                "moving. Your team will tell you when to start.",
            ),
            (
                "Can a disc slip again after a discectomy?",
                "Yes, in a small proportion of people another piece of the same disc comes out, most often in "
                "the first months. Gradual return to activity, good lifting habits and not smoking help lower "
                "the risk.",
            ),
        ],
    ),
    (
        "sciatica-explained",
        "Sciatica: why your leg hurts when the problem is in your back",
        "What causes sciatica, what helps it settle, when surgery is considered and which warning signs "
        "need urgent care.",
        "farah-siddiqui",
        "meera-kulkarni",
        60,
        60,
        ["pain-medicine", "spine-surgery"],
        ["sciatica", "slipped-disc"],
        [
            (
                "Should I rest in bed with sciatica?",
                "No. Short periods of rest when the pain is bad are fine, but staying in bed tends to slow "
                "recovery. Gentle walking and normal activities within comfort help most people.",
            ),
            (
                "Will I need an MRI?",
                "Not always. An MRI is usually arranged if the pain is severe, not improving after several "
                "weeks, there is weakness, or surgery or an injection is being considered.",
            ),
        ],
    ),
    (
        "slipped-disc",
        "Slipped disc: what it is and when it needs surgery",
        "A plain guide to disc herniation: symptoms, how it is diagnosed, treatments that help and the "
        "minority of cases that need an operation.",
        "arjun-venkatesh",
        "vikram-shetty",
        90,
        90,
        ["neurosurgery", "spine-surgery"],
        ["slipped-disc", "sciatica", "cervical-radiculopathy"],
        [
            (
                "Can a slipped disc heal on its own?",
                "Often, yes. The part of the disc that has pushed out frequently shrinks over weeks to months, "
                "and symptoms improve with time, activity and physiotherapy.",
            ),
            (
                "Does a bulging disc on my scan mean I need surgery?",
                "Not by itself. Disc bulges are very common in people with no pain at all. Treatment depends on "
                "your symptoms and examination, not on the scan alone.",
            ),
        ],
    ),
    (
        "lumbar-spinal-stenosis",
        "Lumbar spinal stenosis: when walking becomes hard",
        "Why a narrowed spinal canal causes leg pain on walking, how it is treated without surgery and when "
        "a minimally invasive decompression may help.",
        "vikram-shetty",
        "rohan-deshpande",
        420,
        420,
        ["spine-surgery", "orthopaedics"],
        ["lumbar-spinal-stenosis", "spondylolisthesis"],
        [
            (
                "Why does leaning on a shopping trolley help?",
                "Bending forward slightly opens up the spinal canal and takes pressure off the nerves, so "
                "symptoms often ease in that position.",
            ),
        ],
    ),
    (
        "vertebral-compression-fractures",
        "Vertebral compression fractures and fragile bones",
        "How a bone in the spine can collapse after a minor fall, how these fractures are treated, and why "
        "a bone health check matters afterwards.",
        "lakshmi-narayanan",
        "rohan-deshpande",
        120,
        120,
        ["orthopaedics", "rheumatology"],
        ["vertebral-compression-fracture", "osteoporosis"],
        [
            (
                "Is vertebroplasty or kyphoplasty always needed?",
                "No. Most compression fractures heal in six to twelve weeks with pain relief and gradual "
                "activity. Cement procedures are considered for selected people whose pain stays severe.",
            ),
        ],
    ),
]


@transaction.atomic
def seed(*, synthetic_articles: int = 0) -> dict[str, int]:
    category, _ = Category.objects.update_or_create(slug=CATEGORY["slug"], defaults=CATEGORY)
    doctors = Doctor.objects.in_bulk(field_name="slug")
    now, today = timezone.now(), timezone.localdate()
    for (
        slug,
        title,
        summary,
        author,
        reviewer,
        published,
        reviewed,
        specialties,
        conditions,
        faqs,
    ) in ARTICLES:
        article = Article.objects.filter(slug=slug).first() or Article(
            slug=slug,
            published_at=now - datetime.timedelta(days=published),
            # Written and reviewed before publication, unchanged since: updated no later than reviewed.
            updated_on=today - datetime.timedelta(days=max(published, reviewed)),
            last_reviewed_on=today - datetime.timedelta(days=reviewed),
        )
        article.title = title
        article.summary = summary
        article.body = (CONTENT_DIR / f"{slug}.md").read_text(encoding="utf-8")
        article.category = category
        article.author = doctors[author]
        article.reviewer = doctors[reviewer]
        article.status = ArticleStatus.PUBLISHED
        article_save(article=article)
        article.specialties.set(Specialty.objects.filter(slug__in=specialties))
        article.conditions.set(Condition.objects.filter(slug__in=conditions))
        article.faqs.all().delete()
        FAQ.objects.bulk_create(
            FAQ(article=article, question=question, answer=answer, order=order)
            for order, (question, answer) in enumerate(faqs, start=1)
        )
    if synthetic_articles:
        _seed_synthetic(synthetic_articles, category, list(doctors.values()))
    return {"articles": Article.objects.count()}


SYNTHETIC_BODY = """## Overview

This is a generated article for load testing. It has a few sections so the table of contents,
the reading time and the related cards behave as they do for real articles.

## What to do next

Talk to your doctor about your own situation.
"""


def _seed_synthetic(count, category, doctors):
    """Short generated articles for benchmarks: created in bulk, rendered once, matched by slug."""
    existing = set(Article.objects.filter(slug__startswith="synthetic-").values_list("slug", flat=True))
    rendered, key = render_markdown(SYNTHETIC_BODY), fingerprint(SYNTHETIC_BODY)
    now, today = timezone.now(), timezone.localdate()
    new = []
    for number in range(1, count + 1):
        slug = f"synthetic-{number:05d}"
        if slug in existing:
            continue
        author = doctors[number % len(doctors)]
        reviewer = doctors[(number + 1) % len(doctors)]
        new.append(
            Article(
                slug=slug,
                title=f"Generated spine care article {number}",
                summary="A generated article used to measure performance.",
                body=SYNTHETIC_BODY,
                body_html=rendered.html,
                toc=rendered.toc,
                reading_minutes=rendered.reading_minutes,
                rendered_fingerprint=key,
                category=category,
                author=author,
                reviewer=reviewer,
                status=ArticleStatus.PUBLISHED,
                published_at=now - datetime.timedelta(minutes=number),
                updated_on=today,
                last_reviewed_on=today,
            )
        )
    Article.objects.bulk_create(new, batch_size=500)
