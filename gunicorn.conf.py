"""Gunicorn settings. Gunicorn reads ./gunicorn.conf.py from the directory it starts in, so from the
project root `gunicorn` alone serves the app; command-line flags win over these values.

The access log records the path without the query string and leaves out the Referer: either can
carry a patient's name or number (an admin search, a form sent by GET, the page a link was on),
and access logs are kept longer and shared wider than the database (SPEC 5).
"""

import os

wsgi_app = "clinic.wsgi:application"
bind = ["127.0.0.1:8000"]  # `--bind 0.0.0.0:8000` (or GUNICORN_CMD_ARGS) to change
workers = int(os.environ.get("WEB_CONCURRENCY", 4))
# A request still running after this many seconds has its worker restarted (a database that hangs
# mid-query is caught sooner by the statement timeout, see clinic/dbconfig.py).
timeout = 30
accesslog = "-"
# remote address, user, time, "METHOD /path PROTOCOL", status, bytes, milliseconds, user agent
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
