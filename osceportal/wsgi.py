"""WSGI entry point (gunicorn osceportal.wsgi). Each app server process builds its listing
index as it starts (news/listing/index.py), so that no visitor waits for it."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osceportal.settings")

application = get_wsgi_application()

from news.listing.index import warm_up  # noqa: E402  (the apps are loaded above)

warm_up()
