"""`make run`'s first look, on SQLite: the rest of the suite runs on PostgreSQL, and SQL that
only PostgreSQL takes (a LIMIT inside a UNION, say) would pass it and fail every page of a new
user's first look. In a child process with a database file of its own: migrate, the reference
data, the demo news and events, then the main pages through Django's test client."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PAGES = [
    "/",
    "/news/",
    "/news/?country=tajikistan&field=border-management",
    "/news/?q=customs",
    "/fields-of-work/border-management/",
    "/countries/austria/",
    "/structures/secretariat/",
    "/meetings/",
    "/meetings/?series=ministerial-council-meetings&year=2024",
    "/meetings/series/ministerial-council-meetings/",
    "/meetings/ministerial-council-2024-ta-qali/",
    "/meetings/ministerial-council-2024-ta-qali/calendar.ics",
    "/meetings/calendar.ics",
    "/meetings/atom/",
    "/news/rss/",
    "/news/export.csv",
    "/api/news/",
    "/ru/meetings/",
    "/sitemap.xml",
]

CHECK = """
import json, sys
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
print(json.dumps({path: client.get(path).status_code for path in json.loads(sys.argv[1])}))
"""


def manage(*arguments, env):
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )


def test_the_first_look_answers_every_main_page_on_sqlite(tmp_path):
    data = Path(settings.BASE_DIR) / "osceportal" / "data"
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'first-look.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "osceportal.settings",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "REDIS_URL": "",
    }
    manage("migrate", "--no-input", env=env)
    manage("load_reference_data", env=env)
    manage("import_news", str(data / "demo_news.jsonl"), env=env)
    manage("import_events", str(data / "demo_events.jsonl"), env=env)
    checked = subprocess.run(
        [sys.executable, "-c", CHECK, json.dumps(PAGES)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    statuses = json.loads(checked.stdout.strip().splitlines()[-1])
    assert statuses == dict.fromkeys(PAGES, 200), checked.stderr[-3000:]
