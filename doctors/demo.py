"""Demo data for the doctors app: fictional spine-care doctors, places and specialties.

Every person here is invented. `seed` is idempotent: rows are matched by slug.
"""

import random
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from doctors.models import Condition, Doctor, Language, Location, Procedure, Specialty

LOCATIONS = [
    {
        "slug": "residency-road",
        "name": "Spine Care Clinic, Residency Road",
        "city": "Bengaluru",
        "address": "12 Residency Road, Shanthala Nagar\nBengaluru 560025",
        "phone": "+918040001234",
        "map_url": "https://www.openstreetmap.org/search?query=Residency%20Road%20Bengaluru",
    },
    {
        "slug": "whitefield",
        "name": "Spine Care Clinic, Whitefield",
        "city": "Bengaluru",
        "address": "48 ITPL Main Road, Whitefield\nBengaluru 560066",
        "phone": "+918040005678",
        "map_url": "https://www.openstreetmap.org/search?query=Whitefield%20Bengaluru",
    },
    {
        "slug": "koregaon-park",
        "name": "Spine Care Clinic, Koregaon Park",
        "city": "Pune",
        "address": "7 North Main Road, Koregaon Park\nPune 411001",
        "phone": "+912066001234",
        "map_url": "https://www.openstreetmap.org/search?query=Koregaon%20Park%20Pune",
    },
]

SPECIALTIES = {
    "Spine Surgery": "Surgeons who operate on the spine, using minimally invasive techniques wherever they suit the patient.",
    "Orthopaedics": "Bone and joint specialists who diagnose back and neck problems and treat fractures.",
    "Neurosurgery": "Surgeons of the brain, spinal cord and nerves, including decompression of trapped nerves.",
    "Pain Medicine": "Specialists in injections and nerve treatments that calm back and leg pain without open surgery.",
    "Physiotherapy and Rehabilitation": "Exercise, posture and movement programmes before and after spine treatment.",
    "Rheumatology": "Doctors for inflammatory and bone-density conditions that affect the spine.",
}

CONDITIONS = [
    "Slipped disc",
    "Sciatica",
    "Lumbar spinal stenosis",
    "Degenerative disc disease",
    "Spondylolisthesis",
    "Vertebral compression fracture",
    "Cervical radiculopathy",
    "Chronic low back pain",
    "Scoliosis",
    "Osteoporosis",
    "Ankylosing spondylitis",
]

PROCEDURES = [
    "Microdiscectomy",
    "Endoscopic discectomy",
    "Minimally invasive lumbar fusion",
    "Kyphoplasty",
    "Vertebroplasty",
    "Laminectomy",
    "Foraminotomy",
    "Epidural steroid injection",
    "Radiofrequency ablation",
]

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
        [0, 1, 2, 3, 4],
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
        [0, 1, 2, 6],
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
        [1, 3, 7],
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
        [0, 2, 4, 5],
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
        [3, 5, 8, 9],
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
        [0, 2, 6],
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
        [1, 3, 7, 8],
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
        [1, 7, 10],
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
        [0, 1, 2, 4, 5, 8],
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
        [3, 5, 9],
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
        [1, 7, 8, 10],
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
            slug=slugify(name), defaults={"name": name, "description": description}
        )[0]
        for name, description in SPECIALTIES.items()
    }
    conditions = [
        Condition.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0] for name in CONDITIONS
    ]
    procedures = [
        Procedure.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0] for name in PROCEDURES
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
            slug=slugify(name.removeprefix("Dr. ")),
            defaults={
                "name": name,
                "specialty": specialties[specialty],
                "location": locations[location],
                "qualifications": qualifications,
                "practising_since": since,
                "fee": Decimal(fee),
                "original_fee": Decimal(original) if original else None,
                "booking_fee": Decimal(booking),
                "bio": BIO.format(name=name, location=locations[location].name, short=name.split()[-1]),
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
