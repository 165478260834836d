"""Build the MAILERS["default"] entry from the environment (EMAIL_URL or EMAIL_HOST and friends).

A few lines of our own instead of a package: the accepted URL shapes are small and fixed, and the
result must match Django 6.1's SMTP backend OPTIONS (host, port, username, password, use_tls,
use_ssl, timeout), which no maintained URL-parsing package targets yet.
"""

from collections.abc import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_TIMEOUT = 10  # seconds: a hung mail server must not hold a worker (or a request) for long
TRUE = {"1", "true", "yes", "on"}


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in TRUE


def parse_email_url(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> dict:
    """`smtp://user:pass@host:587?tls=1`, `smtps://…` (implicit TLS) or `console://` → a MAILERS entry."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"BACKEND": CONSOLE_BACKEND}
    if scheme not in {"smtp", "smtps", "submission"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL must start with smtp://, smtps:// or console://, not {scheme}://"
        )
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL has no host name, e.g. smtp://user:pass@mail.example:587")
    query = {key.lower(): values[-1] for key, values in parse_qs(parts.query).items()}
    use_ssl = scheme == "smtps" or _flag(query.get("ssl"))
    use_tls = not use_ssl and (_flag(query.get("tls")) or scheme == "submission")
    options = {
        "host": parts.hostname,
        "port": parts.port or (465 if use_ssl else 587 if use_tls else 25),
        "username": unquote(parts.username) if parts.username else "",
        "password": unquote(parts.password) if parts.password else "",
        "use_tls": use_tls,
        "use_ssl": use_ssl,
        "timeout": float(query.get("timeout", timeout)),
    }
    return {"BACKEND": SMTP_BACKEND, "OPTIONS": options}


def mailer_from_env(environ: Mapping[str, str], *, debug: bool) -> dict:
    """EMAIL_URL wins; else EMAIL_HOST (+ port, user, password, TLS/SSL); else console in debug, local SMTP."""
    timeout = float(environ.get("EMAIL_TIMEOUT") or DEFAULT_TIMEOUT)
    if environ.get("EMAIL_URL"):
        mailer = parse_email_url(environ["EMAIL_URL"], timeout=timeout)
    elif environ.get("EMAIL_HOST") or not debug:
        use_ssl = _flag(environ.get("EMAIL_USE_SSL"))
        use_tls = _flag(environ.get("EMAIL_USE_TLS"))
        if use_ssl and use_tls:
            raise ImproperlyConfigured("Set at most one of EMAIL_USE_TLS and EMAIL_USE_SSL.")
        port = environ.get("EMAIL_PORT")
        mailer = {
            "BACKEND": SMTP_BACKEND,
            "OPTIONS": {
                "host": environ.get("EMAIL_HOST") or "localhost",
                "port": int(port) if port else (465 if use_ssl else 587 if use_tls else 25),
                "username": environ.get("EMAIL_HOST_USER", ""),
                "password": environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": use_tls,
                "use_ssl": use_ssl,
                "timeout": timeout,
            },
        }
    else:
        mailer = {"BACKEND": CONSOLE_BACKEND}
    if environ.get("EMAIL_BACKEND_CLASS"):  # an explicit backend class overrides the choice above
        mailer["BACKEND"] = environ["EMAIL_BACKEND_CLASS"]
        if mailer["BACKEND"] != SMTP_BACKEND:
            mailer.pop("OPTIONS", None)
    return mailer
