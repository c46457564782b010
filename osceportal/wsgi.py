"""WSGI entry point (gunicorn osceportal.wsgi). Each app server process builds its listing
index as it starts (news/listing/index.py), so that no visitor waits for it, and starts reading
the search words in a thread of its own (news/listing/words.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osceportal.settings")

application = get_wsgi_application()

from news.listing import index, words  # noqa: E402  (the apps are loaded above)

index.warm_up()
words.warm_up()
