"""WSGI entry point for gunicorn (`gunicorn` reads gunicorn.conf.py, which names this module).

Marks the process as a web server before settings load, so its database connections get the
statement timeout that manage.py commands (migrations, the task worker) do not (clinic/dbconfig.py).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
os.environ.setdefault("CLINIC_WEB_PROCESS", "1")

application = get_wsgi_application()
