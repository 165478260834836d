"""Request and response rules Django has no setting for: Permissions-Policy, no-store on patient
pages, and a 400 for requests no page sends (form bodies that are not UTF-8, NUL characters)."""

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http.multipartparser import MultiPartParserError
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


class UnreadableRequestMiddleware:
    """Answer 400 to a request no page of ours sends: a form body that is not UTF-8, or a NUL anywhere.

    Refused:
    - a form post (`application/x-www-form-urlencoded` or `multipart/form-data`) whose Content-Type names
      a charset other than UTF-8 (`charset=utf-16`, an unknown name such as `charset=nonsense`), and a
      url-encoded body whose bytes or percent-escapes are not valid UTF-8 (Django would read them as
      U+FFFD and carry on);
    - a NUL character (U+0000) in the path, a query parameter or a form field: PostgreSQL cannot store
      or even compare text holding one (DataError, a 500), and no person types it.
    Every page of the site is UTF-8 and browsers post forms in the page's encoding, so only a forged
    request meets this (issue 10 item 5; SPEC 4: never a 500). Other content types are left to the
    views (their forms then see no data and say what is missing). Placed before anything reads
    `request.POST` (the CSRF check).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.unreadable(request):
            return bad_request(request, SuspiciousOperation("Unreadable request"))
        return self.get_response(request)

    @staticmethod
    def unreadable(request) -> bool:
        """True for a NUL in the path or query, or a form post whose charset or content is not UTF-8."""
        if "\x00" in request.path or any(
            "\x00" in key + "".join(values) for key, values in request.GET.lists()
        ):
            return True
        if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
            return False
        content_type, options = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
        if content_type not in FORM_TYPES:
            return False
        charset = options.get("charset")
        if charset is not None and charset.strip().lower() not in UTF8_NAMES:
            return True
        try:
            if content_type == FORM_TYPES[0]:
                return not _utf8_without_nul(request.body)
            if request.method == "POST":  # multipart: Django parses it; look at what it found
                return any("\x00" in key + "".join(values) for key, values in request.POST.lists())
        except (RequestDataTooBig, TooManyFieldsSent, MultiPartParserError, OSError):
            return False  # Django answers these itself, with a 400 or 413
        return False


def _utf8_without_nul(body: bytes) -> bool:
    """True when a url-encoded body is ASCII whose every percent-decoded key and value is UTF-8 without NUL."""
    try:
        body.decode("ascii")  # a browser percent-encodes every other byte
        for pair in body.split(b"&"):
            for part in pair.split(b"=", 1):
                if "\x00" in unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8"):
                    return False
    except UnicodeDecodeError:
        return False
    return True
