"""WSGI entry point (gunicorn osceportal.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osceportal.settings")

application = get_wsgi_application()
