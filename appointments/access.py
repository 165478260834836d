"""Who may see what on the staff side: permissions checked on every request, rows scoped per user.

Front desk (permission `appointments.view_appointment`) sees every doctor; a user linked to a doctor
sees only that doctor's schedule and appointments. Anything outside a user's scope is a 404, not a
403, so a doctor cannot probe which references or doctors exist (docs/decisions.md).
"""

from functools import wraps

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from appointments.models import Appointment
from doctors.models import Doctor

VIEW_SCHEDULE = "appointments.view_schedule"
SEE_ALL = "appointments.view_appointment"
CHANGE = "appointments.change_appointment"
BOOK = "appointments.add_appointment"
ROTATE_ANY_FEED = "appointments.change_calendarfeed"


def own_doctor(user) -> Doctor | None:
    """The doctor this user signs in as, if any (the reverse one-to-one raises when there is none)."""
    if not user.is_authenticated:
        return None
    return getattr(user, "doctor", None)


def sees_all(user) -> bool:
    return user.has_perm(SEE_ALL)


def visible_doctors(user):
    if sees_all(user):
        return Doctor.objects.all()
    return Doctor.objects.filter(user=user) if user.is_authenticated else Doctor.objects.none()


def visible_appointments(user):
    if sees_all(user):
        return Appointment.objects.all()
    return (
        Appointment.objects.filter(doctor__user=user) if user.is_authenticated else Appointment.objects.none()
    )


def may_rotate_feed(user, doctor) -> bool:
    mine = own_doctor(user)
    return user.has_perm(ROTATE_ANY_FEED) or (mine is not None and mine.pk == doctor.pk)


def staff_required(permission: str | None = None):
    """Anonymous: redirect to the staff login. Signed in without the staff permission(s): 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.has_perm(VIEW_SCHEDULE) or (permission and not user.has_perm(permission)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class StaffMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """For read views: the same rule as `staff_required`."""

    permission_required = VIEW_SCHEDULE
