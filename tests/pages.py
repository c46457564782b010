"""What the tests of public pages share: the seed item's address, the look-ups of taxonomy by
slug, and the reading of a page's parts (its menus, its JSON-LD)."""

import datetime
import json
import re

from django.utils import timezone

from countries.models import Chairpersonship, Country
from news.models import FieldOfWork
from structures.models import Structure

SEED_URL = (
    "/news/tajik-customs-officials-learn-from-finnish-experience-in-osce-organized-study-visit/"
)
HOSTILE = "</script><script>alert(1)</script>"
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
MENU_TABLE = '"countries_chairpersonship"'  # read only when the menus are built


def structure(slug):
    return Structure.objects.get(slug=slug)


def field(slug):
    return FieldOfWork.objects.get(slug=slug)


def country(slug):
    return Country.objects.get(slug=slug)


def days_ago(n):
    return timezone.now() - datetime.timedelta(days=n)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def json_ld(html):
    scripts = JSON_LD.findall(html)
    assert len(scripts) == 1
    return json.loads(scripts[0])


def between(html, start, end):
    """The part of `html` from `start` up to the first `end` after it."""
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def menu_of(html):
    return between(html, '<nav class="main-nav"', "</nav>")


def make_current_chairpersonship(slug):
    chair_country = country(slug)
    Chairpersonship.objects.update_or_create(
        year=timezone.localdate().year,
        defaults={"country": chair_country, "country_name": chair_country.name},
    )
    return chair_country
