"""Who may handle patient-data requests: the permission of its own, checked on every request."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

HANDLE = "privacy.handle_patient_data"


def privacy_required(view):
    """Anonymous: redirect to the staff sign-in. Signed in without `privacy.handle_patient_data`: 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(HANDLE):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
