"""Request and response rules Django has no setting for: Permissions-Policy, no-store on patient
pages, and a 400 for form bodies that are not UTF-8."""

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.utils.cache import add_never_cache_headers
from django.utils.http import parse_header_parameters
from django.views.defaults import bad_request


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


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
UTF8_NAMES = frozenset({"utf-8", "utf8"})


class UndecodableBodyMiddleware:
    """Answer 400 to a form body that cannot be read as UTF-8, before anything reads `request.POST`.

    Refused: a form post (`application/x-www-form-urlencoded` or `multipart/form-data`) whose
    Content-Type names a charset other than UTF-8 (`charset=utf-16`, an unknown name such as
    `charset=nonsense`), and a url-encoded body whose bytes or percent-escapes are not valid UTF-8.
    Every page of the site is UTF-8 and browsers post forms in the page's encoding, so only a forged
    request meets this. Without it, Django decodes such a body with the named codec when the CSRF check
    or a view first reads `request.POST`, and an unknown codec or a UTF-16 body ended as a 500
    (issue 10 item 5; SPEC 4: never a 500). Other content types are left to the views (their forms
    then see no data and say what is missing).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and self.undecodable(request):
            return bad_request(request, SuspiciousOperation("Form body is not UTF-8"))
        return self.get_response(request)

    @staticmethod
    def undecodable(request) -> bool:
        """True when the request is a form post whose charset or url-encoded bytes are not UTF-8."""
        content_type, options = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
        if content_type not in FORM_TYPES:
            return False
        charset = options.get("charset")
        if charset is not None and charset.strip().lower() not in UTF8_NAMES:
            return True
        if content_type == FORM_TYPES[0]:
            try:
                body = request.body
            except (RequestDataTooBig, OSError):
                return False  # Django answers these itself
            try:
                body.decode("ascii")  # a browser percent-encodes every other byte
                for pair in body.split(b"&"):
                    for part in pair.split(b"=", 1):
                        unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                return True
        return False
