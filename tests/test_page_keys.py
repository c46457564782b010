"""Where the page cache keeps a page (news/page_keys.py): its canonical address, with only
the GET parameters its view reads; what each view declares it reads, checked against how it
reads them."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIRequest
from django.http import QueryDict
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from alerts.emails import confirmation_token
from alerts.models import AlertList, Subscriber, Subscription
from countries.models import Country
from news import page_keys
from news.models import Event, FieldOfWork, MeetingSeries

from .factories import NewsItemFactory

pytestmark = pytest.mark.usefixtures("reference_data", "page_cache_on", "nothing_owed")


def stored_pages():
    """The keys of the pages in the (local memory) test cache."""
    return [key for key in cache._cache if re.search(r":pages:[0-9a-f]{64}$", key)]


@pytest.fixture
def tagged_item(reference_data):
    item = NewsItemFactory(
        title="An item of every kind of page",
        fields_of_work=[FieldOfWork.objects.get(slug="border-management")],
        countries=[Country.objects.get(slug="tajikistan")],
    )
    item.tags.add("demo")
    return item


@pytest.fixture(autouse=True)
def an_event(reference_data):
    """The event of the example event URLs, in the series of the example series URL."""
    return Event.objects.create(
        slug="an-event",
        title="An event of every kind of page",
        series=MeetingSeries.objects.get(slug="ministerial-council-meetings"),
        country=Country.objects.get(slug="tajikistan"),
        start=timezone.now() + datetime.timedelta(days=30),
        end=timezone.now() + datetime.timedelta(days=31),
        status=Event.Status.PUBLISHED,
    )


def example_urls(item):
    """An address of each public page, by URL name."""
    return {
        "home": "/",
        "news:list": "/news/",
        "news:detail": item.get_absolute_url(),
        "news:rss": "/news/rss/",
        "news:atom": "/news/atom/",
        "news:export_csv": "/news/export.csv",
        "news:field_list": "/fields-of-work/",
        "news:field_detail": "/fields-of-work/border-management/",
        "countries:list": "/countries/",
        "countries:detail": "/countries/tajikistan/",
        "structures:list": "/structures/",
        "structures:detail": "/structures/secretariat/",
        "api:news_list": "/api/news/",
        "api:news_detail": f"/api/news/{item.slug}/",
        "sitemap": "/sitemap.xml",
        "sitemap_section": "/sitemap-news.xml",
        "robots_txt": "/robots.txt",
        "news:event_list": "/meetings/",
        "news:event_list_ics": "/meetings/calendar.ics",
        "news:event_atom": "/meetings/atom/",
        "news:series_detail": "/meetings/series/ministerial-council-meetings/",
        "news:event_detail": "/meetings/an-event/",
        "news:event_ics": "/meetings/an-event/calendar.ics",
        "alerts:subscribe": "/alerts/subscribe/",
        "alerts:subscribe_meetings": "/alerts/meetings/subscribe/",
        "alerts:check_email": "/alerts/check-your-email/",
        **alert_urls(),
    }


def alert_urls():
    """The pages reached from the links of a subscriber's messages."""
    subscriber, _ = Subscriber.objects.get_or_create(email="reader@example.org")
    alert_list, _ = AlertList.objects.get_or_create(query="country=tajikistan")
    subscription, _ = Subscription.objects.get_or_create(
        subscriber=subscriber, alert_list=alert_list
    )
    return {
        "alerts:confirm": f"/alerts/confirm/{confirmation_token(subscription)}/",
        "alerts:manage": subscriber.get_absolute_url(),
        "alerts:unsubscribe": subscription.get_absolute_url(),
        "alerts:unsubscribe_all": f"/alerts/unsubscribe-all/{subscriber.token}/",
    }


def public_url_names(patterns=None, namespace=None):
    """Every named URL but the back office's and the load balancer's."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if pattern.namespace and namespace:
                inner = f"{namespace}:{pattern.namespace}"
            if inner != "admin":
                yield from public_url_names(pattern.url_patterns, inner)
        elif pattern.name and pattern.name != "healthz":
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_public_url_says_which_parameters_its_view_reads(tagged_item):
    # A page left out would be kept under its query as written: safe, but any junk parameter
    # would make a new copy of it.
    assert set(public_url_names()) == set(page_keys.query_readings())
    assert set(example_urls(tagged_item)) == set(page_keys.query_readings())


# A valid value of each parameter the listing's machine-readable views read.
FILTER_VALUES = {
    "series": "ministerial-council-meetings",
    "year": "2026",
    "organised_by": "secretariat",
    "field": "border-management",
    "country": "tajikistan",
    "issued_by": "secretariat",
    "type": "news",
    "tag": "demo",
    "language": "en",
    "q": "item",
    "from": "2000-01-01",
    "to": "2999-01-01",
    "sort": "oldest",
    "page": "1",
    "page_size": "5",
    "p": "1",
    "confirmed": "1",
    "changed": "1",
    "frequency": "daily",
}


class RecordingQueryDict(QueryDict):
    """request.GET, noting how a view reads each parameter: its last value (get), every value
    (getlist), whether it is there, or all parameters at once (under the name None)."""

    def __init__(self, query_string, read):
        self.read = set()  # what building it reads does not count
        super().__init__(query_string)
        self.read = read

    def __getitem__(self, key):
        self.read.add((key, page_keys.LAST_VALUE))
        return super().__getitem__(key)

    def getlist(self, key, default=None):
        self.read.add((key, page_keys.EVERY_VALUE))
        return super().getlist(key, default)

    def __contains__(self, key):
        self.read.add((key, "presence"))
        return super().__contains__(key)

    def __iter__(self):
        self.read.add((None, "all"))
        return super().__iter__()

    def lists(self):
        self.read.add((None, "all"))
        return super().lists()

    def dict(self):
        self.read.add((None, "all"))
        return super().dict()

    def copy(self):
        self.read.add((None, "all"))
        return super().copy()

    def urlencode(self, safe=None):
        self.read.add((None, "all"))
        return super().urlencode(safe)


def test_views_read_each_parameter_as_their_declaration_says(
    client, settings, tagged_item, monkeypatch
):
    # What a view reads must be in its page key, read the way the key takes it: a parameter
    # read with get() under EVERY_VALUE (whose key sorts the values) would let two pages share
    # one key. The page cache is off: only the views read the parameters here.
    settings.PAGE_CACHE_SECONDS = 0
    read = set()
    monkeypatch.setattr(
        WSGIRequest,
        "GET",
        property(lambda request: RecordingQueryDict(request.META["QUERY_STRING"], read)),
    )
    allowed = {
        page_keys.EVERY_VALUE: {page_keys.EVERY_VALUE, "presence"},
        page_keys.LAST_VALUE: {page_keys.LAST_VALUE, "presence"},
        page_keys.LAST_VALUE_AS_GIVEN: {page_keys.LAST_VALUE, "presence"},
    }
    for name, url in example_urls(tagged_item).items():
        params = page_keys.query_readings()[name].params
        read.clear()
        query = {param: FILTER_VALUES[param] for param in params} | {"junk": "1"}
        # The listing redirects this query to its canonical form: both are read.
        assert client.get(url, query, follow=True).status_code == 200, name
        for param, how in read:
            assert param in params, (name, param)
            assert how in allowed[params[param]], (name, param, how)


def answer(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, content


@pytest.mark.parametrize(
    ("name", "param"),
    [
        (name, param)
        for name, reads in page_keys.query_readings().items()
        for param, reading in reads.params.items()
        if reading == page_keys.LAST_VALUE
    ],
)
def test_a_blank_value_left_out_of_the_key_is_no_value_to_the_view(
    client, settings, tagged_item, name, param
):
    settings.PAGE_CACHE_SECONDS = 0
    url = example_urls(tagged_item)[name]
    assert answer(client.get(f"{url}?{param}=")) == answer(client.get(url))


@pytest.mark.parametrize(
    ("name", "param"),
    [
        (name, param)
        for name, reads in page_keys.query_readings().items()
        for param, reading in reads.params.items()
        # The listing redirects all orders but one: its key keeps the order (see below).
        if reading == page_keys.EVERY_VALUE and not reads.query_string
    ],
)
def test_the_order_of_values_sorted_in_the_key_is_nothing_to_the_view(
    client, settings, tagged_item, name, param
):
    settings.PAGE_CACHE_SECONDS = 0
    url = example_urls(tagged_item)[name]
    values = {
        "field": ("border-management", "elections"),
        "country": ("tajikistan", "finland"),
        "issued_by": ("secretariat", "odihr"),
        "type": ("news", "press_release"),
        "tag": ("demo", "second-tag"),
        "language": ("en", "ru"),
        "series": ("ministerial-council-meetings", "summit-meetings"),
        "year": ("2025", "2026"),
        "organised_by": ("secretariat", "odihr"),
    }[param]
    tagged_item.tags.add("second-tag")
    forward = client.get(f"{url}?{param}={values[0]}&{param}={values[1]}")
    backward = client.get(f"{url}?{param}={values[1]}&{param}={values[0]}")
    assert forward.status_code == 200
    assert answer(forward) == answer(backward)


@pytest.mark.parametrize(
    "name",
    [
        name
        for name, reads in page_keys.query_readings().items()
        if reads.params and not reads.query_string
    ],
)
def test_each_parameter_a_view_reads_changes_the_page_key(rf, tagged_item, name):
    url = example_urls(tagged_item)[name]

    def key(query=""):
        return page_keys.page_key(rf.get(f"{url}?{query}" if query else url))

    bare = key()
    assert key("junk=1") == bare
    for param, reading in page_keys.query_readings()[name].params.items():
        assert key(f"{param}=x") != bare, param
        assert key(f"{param}=x&junk=1") == key(f"{param}=x"), param
        if reading == page_keys.EVERY_VALUE:
            assert key(f"{param}=x&{param}=y") == key(f"{param}=y&{param}=x"), param
            assert key(f"{param}=") != bare, param  # a blank value is an error
        else:
            assert key(f"{param}=x&{param}=y") != key(f"{param}=y&{param}=x"), param
            blank_is_none = reading == page_keys.LAST_VALUE
            assert (key(f"{param}=") == bare) == blank_is_none, param


def test_the_listing_key_tells_its_page_from_its_redirects(rf):
    # /news/ answers a query with its page when parse_qsl() reads it as the canonical form of
    # its filters, and with a 301 to that form otherwise.
    def key(query):
        return page_keys.page_key(rf.get(f"/news/?{query}"))

    bare = key("")
    for same_page in ("&&&", "q=", "q=&q=", "page=", "junk=", "sort="):
        assert key(same_page) == bare, same_page
    for redirected in ("junk=1", "page=1", "sort=newest"):
        assert key(redirected) != bare, redirected
    field = "field=border-management"
    assert key(field) != bare
    assert key("field=border%2Dmanagement&&q=") == key(field)
    assert key(f"{field}&junk=1") != key(field)
    assert key("field=a&field=b") != key("field=b&field=a")
    assert key("field=a&country=b") != key("country=b&field=a")


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "ARTICLE",
        "/countries/tajikistan/",
        "/structures/secretariat/",
        "/news/rss/?field=border-management",
        "/news/atom/",
        "/api/news/?tag=demo",
        "API_ITEM",
        "/sitemap.xml",
        "/sitemap-news.xml",
        "/robots.txt",
    ],
)
def test_unknown_parameters_share_the_page_without_them(client, tagged_item, url):
    item = tagged_item
    url = {"ARTICLE": item.get_absolute_url(), "API_ITEM": f"/api/news/{item.slug}/"}.get(url, url)
    separator = "&" if "?" in url else "?"
    first = client.get(url)
    assert first.status_code == 200 and first["X-Cache"] == "miss"
    for n in range(20):
        response = client.get(f"{url}{separator}junk={n}&utm_source=mail{n}")
        assert response["X-Cache"] == "hit"
        assert response.content == first.content
    assert len(stored_pages()) == 1


def test_the_listing_keeps_one_page_however_its_query_is_spelled(client, tagged_item):
    first = client.get("/news/?tag=demo")
    assert first["X-Cache"] == "miss"
    for spelling in ("tag=demo&&", "tag=d%65mo", "tag=demo&q=", "tag=demo&junk=&page="):
        response = client.get(f"/news/?{spelling}")
        assert response["X-Cache"] == "hit", spelling
        assert response.content == first.content
    # Any other query is sent to its canonical form, and nothing is stored for the redirect.
    for n in range(5):
        response = client.get(f"/news/?tag=demo&junk={n}")
        assert response.status_code == 301 and response["Location"] == "/news/?tag=demo"
    assert len(stored_pages()) == 1


def test_accepted_parameters_in_another_order_share_one_page(client, tagged_item):
    first = client.get("/api/news/?type=news&field=elections&field=border-management&page_size=5")
    again = client.get("/api/news/?page_size=5&field=border-management&type=news&field=elections")
    assert first["X-Cache"] == "miss" and again["X-Cache"] == "hit"
    assert again.content == first.content
    assert len(stored_pages()) == 1


def test_each_host_has_its_own_copy_of_a_page(client, settings, tagged_item):
    # The sitemap index holds absolute addresses: a copy made for one host is wrong for another.
    settings.ALLOWED_HOSTS = ["www.osce.example", "osce.example"]
    pages = {}
    for host in ("www.osce.example", "osce.example"):
        first = client.get("/sitemap.xml", headers={"host": host})
        again = client.get("/sitemap.xml", headers={"host": host})
        assert first["X-Cache"] == "miss" and again["X-Cache"] == "hit"
        assert f"http://{host}/sitemap-news.xml" in again.content.decode()
        pages[host] = again.content
    assert pages["www.osce.example"] != pages["osce.example"]
    secure = client.get("/sitemap.xml", headers={"host": "osce.example"}, secure=True)
    assert secure["X-Cache"] == "miss" and "https://osce.example/" in secure.content.decode()
    assert len(stored_pages()) == 3


def test_a_host_not_allowed_is_refused(client, settings, tagged_item):
    settings.ALLOWED_HOSTS = ["osce.example"]
    client.get("/robots.txt", headers={"host": "osce.example"})
    response = client.get("/robots.txt", headers={"host": "evil.example"})
    assert response.status_code == 400


# An invalidation that fails is not forgotten. These tests use a real Redis (database 8 is this
# module's own), whose commands are made to time out as a hung Redis makes them.
