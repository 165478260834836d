"""Who may open the reports, and which locations they may report on.

Reports are for the people who see every doctor's schedule (`appointments.view_appointment` on top of
`appointments.view_schedule`): the front desk and admins. Doctors, content editors and privacy
officers get a 403 (issue 16 item 4). Admins (superusers) report on every location; anyone else on
their own location, the one set in their staff profile (`StaffProfile.default_location`). A user
without one sees no location and is told to ask an admin (docs/decisions.md, "Reports").
"""

from django.db.models import QuerySet

from appointments.access import SEE_ALL, staff_required
from appointments.models import StaffProfile
from doctors.models import Location

reports_required = staff_required(SEE_ALL)


def report_locations(user) -> QuerySet[Location]:
    """The locations `user` may report on, by name: every one for a superuser, else the location of
    their staff profile (none without a profile). One query to read, plus one for the profile."""
    if user.is_superuser:
        return Location.objects.order_by("name", "pk")
    location_id = StaffProfile.objects.filter(user=user).values_list("default_location_id", flat=True).first()
    return Location.objects.filter(pk=location_id).order_by("name", "pk")
