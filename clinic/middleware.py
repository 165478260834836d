"""Response headers Django has no setting for: Permissions-Policy, and no-store on patient pages."""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class PermissionsPolicyMiddleware:
    """Send a Permissions-Policy header that switches off device features we never use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response


class PatientDataNoStoreMiddleware:
    """Send `Cache-Control: no-store` (and `private`, `max-age=0`) on every page that shows or takes
    patient data, whatever the view returned: 200s, form errors, redirects, 403s, 404s and 429s alike.

    The pages are named once, in `settings.PATIENT_DATA_URLS`: `"namespace:*"` for a whole namespace
    (every staff page, present and future) or `"namespace:name"` for one URL. Rule: SPEC 5 ("Pages
    with patient data send Cache-Control: no-store"); browsers, proxies and shared caches then keep
    no copy on disk or in their caches.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.names: set[str] = set()
        self.namespaces: set[str] = set()
        for entry in settings.PATIENT_DATA_URLS:
            namespace, _, name = entry.rpartition(":")
            if name == "*":
                self.namespaces.add(namespace)
            else:
                self.names.add(entry)

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and (match.view_name in self.names or match.namespace in self.namespaces):
            add_never_cache_headers(response)
        return response
