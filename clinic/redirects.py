"""Where a form may send its user back to: the one check for every `next` field of the site."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback: str, field: str = "next") -> str:
    """The POSTed `field` when it is a path on this site, else `fallback` (a URL or path, returned as is).

    A path means: starts with one "/", printable (a CR LF would split the Location header), and passes
    Django's `url_has_allowed_host_and_scheme` (no other host, no scheme). Anything else, such as
    `next=0001-01-01` (which `redirect()` would try as a URL name: NoReverseMatch, a 500), gives
    `fallback`. Rule: issue 10 item 5 (never a 500), open-redirect safety.
    """
    target = request.POST.get(field, "")
    if (
        target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback
