"""ASGI entry point, for servers that speak ASGI.

Marks the process as a web server before settings load, like clinic/wsgi.py.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
os.environ.setdefault("CLINIC_WEB_PROCESS", "1")

application = get_asgi_application()
