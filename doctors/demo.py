"""Demo data for the doctors app: fictional spine-care doctors, places and specialties.

Every person here is invented. `seed` is idempotent: rows are matched by slug.
"""

import random
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from doctors.models import Condition, Doctor, Language, Location, Procedure, Specialty, doctor_slug

LOCATIONS = [
    {
        "slug": "residency-road",
        "name": "Spine Care Clinic, Residency Road",
        "city": "Bengaluru",
        "address": "12 Residency Road, Shanthala Nagar\nBengaluru 560025",
        "phone": "+918040001234",
        "map_url": "https://www.openstreetmap.org/search?query=Residency%20Road%20Bengaluru",
        "also_known_as": "Bangalore, Shanthala Nagar, MG Road",
    },
    {
        "slug": "whitefield",
        "name": "Spine Care Clinic, Whitefield",
        "city": "Bengaluru",
        "address": "48 ITPL Main Road, Whitefield\nBengaluru 560066",
        "phone": "+918040005678",
        "map_url": "https://www.openstreetmap.org/search?query=Whitefield%20Bengaluru",
        "also_known_as": "Bangalore, ITPL",
    },
    {
        "slug": "koregaon-park",
        "name": "Spine Care Clinic, Koregaon Park",
        "city": "Pune",
        "address": "7 North Main Road, Koregaon Park\nPune 411001",
        "phone": "+912066001234",
        "map_url": "https://www.openstreetmap.org/search?query=Koregaon%20Park%20Pune",
        "also_known_as": "Poona, Koregaon",
    },
]

# name: (practitioner, also known as, description)
SPECIALTIES = {
    "Spine Surgery": (
        "Spine surgeon",
        "spine surgeon, spinal surgeon, spine specialist, back surgeon, MISS surgeon, "
        "minimally invasive spine surgery, minimally invasive spine surgeon, keyhole spine surgery",
        "Surgeons who operate on the spine, using minimally invasive techniques wherever they suit the patient.",
    ),
    "Orthopaedics": (
        "Orthopaedic surgeon",
        "orthopedics, orthopaedic, orthopedic, orthopaedic surgeon, orthopedic surgeon, ortho, bone doctor, "
        "bone specialist",
        "Bone and joint specialists who diagnose back and neck problems and treat fractures.",
    ),
    "Neurosurgery": (
        "Neurosurgeon",
        "neurosurgeon, neuro surgeon, brain and spine surgeon, nerve surgeon",
        "Surgeons of the brain, spinal cord and nerves, including decompression of trapped nerves.",
    ),
    "Pain Medicine": (
        "Pain specialist",
        "pain management, pain doctor, pain clinic, interventional pain medicine, pain relief",
        "Specialists in injections and nerve treatments that calm back and leg pain without open surgery.",
    ),
    "Physiotherapy and Rehabilitation": (
        "Physiotherapist",
        "physiotherapy, physiotherapist, physio, physical therapy, physical therapist, rehabilitation, rehab, "
        "exercise therapy",
        "Exercise, posture and movement programmes before and after spine treatment.",
    ),
    "Rheumatology": (
        "Rheumatologist",
        "rheumatologist, arthritis doctor, arthritis specialist",
        "Doctors for inflammatory and bone-density conditions that affect the spine.",
    ),
}

# name: (also known as, lead specialties). The lead specialties are the clinic's own statement of who
# leads the care of each condition here; a search lists their doctors first (decisions.md, 2026-11-29).
CONDITIONS = {
    "Slipped disc": (
        "herniated disc, herniated disk, slip disc, disc prolapse, prolapsed disc, bulging disc, disc bulge, "
        "disc herniation, ruptured disc, PIVD, prolapsed intervertebral disc",
        ["Spine Surgery", "Neurosurgery"],
    ),
    "Sciatica": (
        "leg pain, pain down the leg, radiating leg pain, sciatic nerve pain, pinched nerve in the back, "
        "lumbar radiculopathy",
        ["Spine Surgery", "Neurosurgery", "Pain Medicine"],
    ),
    "Lumbar spinal stenosis": (
        "spinal stenosis, canal stenosis, narrowing of the spinal canal, neurogenic claudication, "
        "leg pain when walking",
        ["Spine Surgery", "Neurosurgery"],
    ),
    "Degenerative disc disease": (
        "DDD, disc degeneration, degenerated disc, worn disc",
        ["Spine Surgery", "Orthopaedics"],
    ),
    "Spondylolisthesis": ("slipped vertebra, vertebral slip, listhesis", ["Spine Surgery"]),
    "Vertebral compression fracture": (
        "compression fracture, spine fracture, spinal fracture, broken vertebra, collapsed vertebra, "
        "osteoporotic fracture",
        ["Spine Surgery", "Orthopaedics"],
    ),
    "Cervical radiculopathy": (
        "pinched nerve in the neck, neck and arm pain, arm pain from the neck, cervical nerve compression",
        ["Neurosurgery", "Spine Surgery"],
    ),
    "Chronic low back pain": (
        "lower back pain, low back pain, back pain, backache, back ache, lumbago, lumbar pain",
        ["Pain Medicine", "Physiotherapy and Rehabilitation", "Orthopaedics"],
    ),
    "Scoliosis": (
        "curved spine, spinal curvature, curvature of the spine",
        ["Spine Surgery", "Orthopaedics"],
    ),
    "Osteoporosis": (
        "brittle bones, thin bones, low bone density, bone loss",
        ["Rheumatology", "Orthopaedics"],
    ),
    "Ankylosing spondylitis": (
        "axial spondyloarthritis, bamboo spine, inflammatory back pain",
        ["Rheumatology"],
    ),
    "Neck pain": (
        "neck ache, stiff neck, neck stiffness, neck strain, cervicalgia",
        ["Orthopaedics", "Pain Medicine", "Physiotherapy and Rehabilitation"],
    ),
    "Spondylosis": (
        "cervical spondylosis, lumbar spondylosis, spinal arthritis, spine arthritis, neck arthritis, "
        "facet joint arthritis, spinal osteoarthritis",
        ["Orthopaedics", "Spine Surgery"],
    ),
}

# name: also known as
PROCEDURES = {
    "Microdiscectomy": "microdiskectomy, micro discectomy, disc removal surgery, slipped disc surgery, disc surgery",
    "Endoscopic discectomy": "endoscopic spine surgery, keyhole disc surgery, PELD, full endoscopic discectomy",
    "Minimally invasive lumbar fusion": "MIS TLIF, TLIF, spinal fusion, spine fusion, lumbar fusion, fusion surgery",
    "Kyphoplasty": "balloon kyphoplasty",
    "Vertebroplasty": "cement injection for a spine fracture, vertebral augmentation",
    "Laminectomy": "decompression surgery, spinal decompression, lumbar decompression",
    "Foraminotomy": "foraminal decompression, nerve root decompression",
    "Epidural steroid injection": "epidural injection, spinal injection, back injection, ESI",
    "Radiofrequency ablation": "RFA, nerve ablation, radiofrequency denervation, facet rhizotomy",
}

LANGUAGES = {
    "en": "English",
    "hi": "Hindi",
    "kn": "Kannada",
    "mr": "Marathi",
    "ta": "Tamil",
    "te": "Telugu",
    "ml": "Malayalam",
}

# name, specialty, location, qualifications, since, fee, original fee, booking fee, languages, conditions, procedures
DOCTORS = [
    (
        "Dr. Meera Kulkarni",
        "Spine Surgery",
        "residency-road",
        "MBBS, MS (Ortho), Fellowship in Spine Surgery",
        2004,
        1500,
        1800,
        0,
        "en hi kn mr",
        [0, 1, 2, 3, 4, 12],
        [0, 1, 2],
    ),
    (
        "Dr. Arjun Venkatesh",
        "Neurosurgery",
        "residency-road",
        "MBBS, MCh (Neurosurgery)",
        2008,
        1800,
        None,
        0,
        "en kn ta",
        [0, 1, 2, 6, 11, 12],
        [0, 1, 5, 6],
    ),
    (
        "Dr. Farah Siddiqui",
        "Pain Medicine",
        "whitefield",
        "MBBS, MD (Anaesthesia), FIPP",
        2011,
        1000,
        1200,
        0,
        "en hi",
        [1, 3, 7, 11],
        [7, 8],
    ),
    (
        "Dr. Rohan Deshpande",
        "Spine Surgery",
        "koregaon-park",
        "MBBS, MS, MCh (Ortho), FNB Spine",
        2006,
        1400,
        None,
        49,
        "en hi mr",
        [0, 1, 2, 4, 5, 12],
        [2, 3, 4, 5],
    ),
    (
        "Dr. Lakshmi Narayanan",
        "Orthopaedics",
        "whitefield",
        "MBBS, MS (Ortho), DNB",
        2001,
        1200,
        None,
        0,
        "en ta te kn",
        [3, 5, 8, 9, 11, 12],
        [3, 4],
    ),
    (
        "Dr. Kabir Malhotra",
        "Neurosurgery",
        "koregaon-park",
        "MBBS, MS, MCh (Neurosurgery)",
        2013,
        1600,
        2000,
        0,
        "en hi",
        [0, 1, 2, 6, 11],
        [0, 1, 5, 6],
    ),
    (
        "Dr. Ananya Iyer",
        "Physiotherapy and Rehabilitation",
        "residency-road",
        "BPT, MPT (Musculoskeletal)",
        2015,
        700,
        None,
        0,
        "en kn ta ml",
        [1, 3, 7, 8, 11],
        [],
    ),
    (
        "Dr. Sameer Joshi",
        "Pain Medicine",
        "koregaon-park",
        "MBBS, DNB (Anaesthesia), Fellowship in Pain Medicine",
        2012,
        900,
        None,
        49,
        "en hi mr",
        [1, 7, 10, 11],
        [7, 8],
    ),
    (
        "Dr. Priya Raghavan",
        "Rheumatology",
        "whitefield",
        "MBBS, MD (Medicine), DM (Rheumatology)",
        2009,
        1100,
        1300,
        0,
        "en ta ml",
        [9, 10, 7],
        [],
    ),
    (
        "Dr. Vikram Shetty",
        "Spine Surgery",
        "whitefield",
        "MBBS, MS (Ortho), MCh, Fellowship in Endoscopic Spine Surgery",
        1998,
        2000,
        None,
        0,
        "en kn hi",
        [0, 1, 2, 4, 5, 8, 12],
        [0, 1, 2, 3, 5, 6],
    ),
    (
        "Dr. Neha Bhatt",
        "Orthopaedics",
        "koregaon-park",
        "MBBS, MS (Ortho)",
        2017,
        800,
        1000,
        0,
        "en hi mr",
        [3, 5, 9, 11, 12],
        [4],
    ),
    (
        "Dr. Thomas Mathew",
        "Physiotherapy and Rehabilitation",
        "whitefield",
        "BPT, MPT (Neuro), Certified Spine Rehabilitation Therapist",
        2010,
        600,
        None,
        0,
        "en ml ta",
        [1, 7, 8, 10, 11],
        [],
    ),
]

BIO = (
    "{name} sees patients at {location} and works as part of the clinic's spine team. "
    "{short} listens first, explains the options in plain words, and recommends surgery only "
    "when careful non-surgical care has not helped or cannot help."
)

FIRST_NAMES = [
    "Aditi",
    "Rahul",
    "Kavya",
    "Nikhil",
    "Sana",
    "Ravi",
    "Isha",
    "Manoj",
    "Pooja",
    "Karthik",
    "Divya",
    "Amit",
]
LAST_NAMES = [
    "Rao",
    "Sharma",
    "Pillai",
    "Kapoor",
    "Nair",
    "Gupta",
    "Menon",
    "Reddy",
    "Das",
    "Patil",
    "Bose",
    "Hegde",
]


@transaction.atomic
def seed(*, synthetic_doctors: int = 0) -> dict[str, int]:
    locations = {
        row["slug"]: Location.objects.update_or_create(slug=row["slug"], defaults=row)[0] for row in LOCATIONS
    }
    specialties = {
        name: Specialty.objects.update_or_create(
            slug=slugify(name),
            defaults={
                "name": name,
                "practitioner": practitioner,
                "also_known_as": aliases,
                "description": description,
            },
        )[0]
        for name, (practitioner, aliases, description) in SPECIALTIES.items()
    }
    conditions = []
    for name, (aliases, leads) in CONDITIONS.items():
        condition = Condition.objects.update_or_create(
            slug=slugify(name), defaults={"name": name, "also_known_as": aliases}
        )[0]
        condition.lead_specialties.set([specialties[lead] for lead in leads])
        conditions.append(condition)
    procedures = [
        Procedure.objects.update_or_create(
            slug=slugify(name), defaults={"name": name, "also_known_as": aliases}
        )[0]
        for name, aliases in PROCEDURES.items()
    ]
    languages = {
        code: Language.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in LANGUAGES.items()
    }

    for (
        name,
        specialty,
        location,
        qualifications,
        since,
        fee,
        original,
        booking,
        langs,
        conds,
        procs,
    ) in DOCTORS:
        doctor, _ = Doctor.objects.update_or_create(
            slug=doctor_slug(name),
            defaults={
                "name": name,
                "specialty": specialties[specialty],
                "location": locations[location],
                "qualifications": qualifications,
                "practising_since": since,
                "fee": Decimal(fee),
                "original_fee": Decimal(original) if original else None,
                "booking_fee": Decimal(booking),
                "bio": BIO.format(
                    name=name, location=locations[location].name, short=Doctor(name=name).short_name
                ),
            },
        )
        doctor.languages.set([languages[code] for code in langs.split()])
        doctor.conditions.set([conditions[i] for i in conds])
        doctor.procedures.set([procedures[i] for i in procs])

    if synthetic_doctors:
        _seed_synthetic(
            synthetic_doctors,
            list(locations.values()),
            list(specialties.values()),
            conditions,
            list(languages.values()),
        )
    return {"doctors": Doctor.objects.count(), "locations": Location.objects.count()}


def _seed_synthetic(count, locations, specialties, conditions, languages):
    """Generated doctors for benchmarks: many rows, created in bulk, matched by slug."""
    rng = random.Random(42)
    existing = set(Doctor.objects.filter(slug__startswith="synthetic-").values_list("slug", flat=True))
    new = []
    for number in range(1, count + 1):
        slug = f"synthetic-{number:05d}"
        if slug in existing:
            continue
        fee = rng.randrange(5, 25) * 100
        new.append(
            Doctor(
                slug=slug,
                name=f"Dr. {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} ({number})",
                specialty=rng.choice(specialties),
                location=rng.choice(locations),
                qualifications="MBBS, MS",
                practising_since=rng.randrange(1990, 2020),
                fee=Decimal(fee),
                original_fee=Decimal(fee + 200) if number % 3 == 0 else None,
                booking_fee=Decimal(0) if number % 2 else Decimal(49),
            )
        )
    created = Doctor.objects.bulk_create(new, batch_size=500)
    language_links = [
        Doctor.languages.through(doctor_id=d.pk, language_id=lang.pk)
        for d in created
        for lang in rng.sample(languages, 2)
    ]
    Doctor.languages.through.objects.bulk_create(language_links, batch_size=1000)
    condition_links = [
        Doctor.conditions.through(doctor_id=d.pk, condition_id=c.pk)
        for d in created
        for c in rng.sample(conditions, 3)
    ]
    Doctor.conditions.through.objects.bulk_create(condition_links, batch_size=1000)
