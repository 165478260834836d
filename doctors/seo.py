"""schema.org JSON-LD for doctor profiles and location pages, as plain dicts (SPEC 3.8).

Templates print them with `{% json_ld %}` (clinic/templatetags/seo.py), which escapes them safely.
"""


def _address(location) -> dict:
    return {
        "@type": "PostalAddress",
        "streetAddress": " ".join(location.address.split()),
        "addressLocality": location.city,
    }


def physician_reference(doctor, request) -> dict:
    """A doctor as the author or reviewer of something: who, and where their profile is."""
    url = request.build_absolute_uri(doctor.get_absolute_url())
    return {"@type": "Physician", "@id": f"{url}#physician", "name": doctor.name, "url": url}


def physician(doctor, request) -> dict:
    """A full profile; expects the profile view's prefetched conditions and procedures."""
    data = {
        "@context": "https://schema.org",
        **physician_reference(doctor, request),
        "medicalSpecialty": doctor.specialty.name,
        "hasCredential": [
            {"@type": "EducationalOccupationalCredential", "name": name.strip()}
            for name in doctor.qualifications.split(",")
            if name.strip()
        ],
        "address": _address(doctor.location),
        "knowsAbout": [condition.name for condition in doctor.conditions.all()],
        "availableService": [
            {"@type": "MedicalProcedure", "name": procedure.name} for procedure in doctor.procedures.all()
        ],
    }
    if doctor.bio:
        data["description"] = doctor.bio
    if doctor.photo:
        data["image"] = request.build_absolute_uri(doctor.photo.url)
    if doctor.location.phone:
        data["telephone"] = doctor.location.phone.as_e164
    return data


def medical_clinic(location, request) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalClinic",
        "@id": request.build_absolute_uri(location.get_absolute_url()) + "#clinic",
        "name": location.name,
        "url": request.build_absolute_uri(location.get_absolute_url()),
        "address": _address(location),
    }
    if location.phone:
        data["telephone"] = location.phone.as_e164
    if location.map_url:
        data["hasMap"] = location.map_url
    return data


def breadcrumbs(request, items: list[tuple[str, str]]) -> dict:
    """BreadcrumbList from (name, path) pairs, home first."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": str(name),
                "item": request.build_absolute_uri(path),
            }
            for position, (name, path) in enumerate(items, start=1)
        ],
    }
