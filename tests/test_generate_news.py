"""`manage.py generate_news`: a deterministic synthetic corpus that looks like the real archive."""

import datetime
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
from collections import Counter
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from news.models import FieldOfWork, IssuingBody, NewsItem
from news.sanitise import clean_body
from sampledata import child
from sampledata.corpus import CORPUS_END, CORPUS_START, SCHEDULED_YEAR, CorpusError
from sampledata.generator import generate as generate_lines
from sampledata.taxonomy import Taxonomy
from structures.models import FormerName, Structure

pytestmark = pytest.mark.usefixtures("reference_data")

FIELD_OPERATIONS = (Structure.Kind.FIELD_OPERATION, Structure.Kind.CLOSED_FIELD_ACTIVITY)


def generate(*args, **options):
    call_command("generate_news", *args, stdout=StringIO(), stderr=StringIO(), **options)


def export():
    out = StringIO()
    call_command("export_news", stdout=out)
    return out.getvalue()


def issued_on(item):
    return timezone.localdate(item.published_at)


@pytest.fixture(scope="class")
def corpus(django_db_setup, django_db_blocker):
    """2,000 items made once for the class, rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        generate(count=2000, seed=3)
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("corpus")
class TestACorpusOf2000Items:
    def test_has_every_item_asked_for_each_tagged_generated(self):
        assert NewsItem.objects.count() == 2000
        assert NewsItem.objects.filter(tags__name="generated").count() == 2000
        assert all(
            re.match(r"^gen-3-\d{7}-[a-z0-9-]+$", slug)
            for slug in NewsItem.objects.values_list("slug", flat=True)
        )

    def test_field_operations_write_about_their_own_country_in_their_active_years(self):
        links = IssuingBody.objects.filter(structure__kind__in=FIELD_OPERATIONS).select_related(
            "structure", "news_item"
        )
        countries = {
            item.pk: {c.pk for c in item.countries.all()}
            for item in NewsItem.objects.prefetch_related("countries")
        }
        assert links.count() > 200
        for link in links:
            structure, item = link.structure, link.news_item
            if structure.country_id:
                assert structure.country_id in countries[item.pk], item.slug
            if item.published_at is None:
                continue
            day = issued_on(item)
            if structure.closed_year:
                assert day.year <= structure.closed_year, item.slug
            if structure.established_year and day.year < structure.established_year:
                # Before its establishment only under a predecessor's name (Office in Podgorica).
                assert structure.name_on(day) != structure.issuing_label, item.slug

    def test_every_former_name_in_use_since_1997_is_on_some_item(self):
        shown = {
            link.structure.name_on(issued_on(link.news_item))
            for link in IssuingBody.objects.filter(news_item__published_at__isnull=False)
            .select_related("structure", "news_item")
            .prefetch_related("structure__former_names")
        }
        in_use = FormerName.objects.exclude(valid_until__lt=CORPUS_START).exclude(
            valid_from__isnull=True, valid_until__isnull=True
        )
        assert in_use.count() > 15
        assert set(in_use.values_list("name", flat=True)) <= shown

    def test_some_bodies_publish_far_more_than_others(self):
        counts = sorted(
            Structure.objects.annotate(n=Count("issuing_links"))
            .filter(n__gt=0)
            .values_list("n", flat=True)
        )
        assert counts[-1] >= 5 * statistics.median(counts)
        top = Structure.objects.annotate(n=Count("issuing_links")).order_by("-n")[:6]
        assert {"secretariat", "odihr"} <= {s.slug for s in top}

    def test_special_monitoring_mission_writes_daily_reports_in_2014_to_2022(self):
        reports = NewsItem.objects.filter(type=NewsItem.Type.DAILY_REPORT)
        assert reports.count() > 20
        reports = reports.exclude(published_at=None)
        assert set(reports.values_list("issued_by__slug", flat=True)) == {
            "special-monitoring-mission-to-ukraine"
        }
        assert {issued_on(item).year for item in reports} <= set(range(2014, 2023))

    def test_items_are_dated_from_1997_to_the_fixed_end_later_years_denser(self):
        dated = NewsItem.objects.filter(published_at__year__lt=SCHEDULED_YEAR)
        days = [issued_on(item) for item in dated]
        assert min(days) >= CORPUS_START
        assert max(days) <= CORPUS_END
        years = Counter(day.year for day in days)
        first, last = range(1997, 2002), range(2021, 2026)
        assert sum(years[y] for y in last) > 2 * sum(years[y] for y in first)

    def test_items_are_issued_in_vienna_working_hours(self):
        for item in NewsItem.objects.exclude(published_at=None):
            assert 8 <= timezone.localtime(item.published_at).hour <= 18, item.slug

    def test_mostly_published_a_few_drafts_withdrawn_and_scheduled(self):
        statuses = Counter(NewsItem.objects.values_list("status", flat=True))
        assert statuses[NewsItem.Status.PUBLISHED] > 0.95 * 2000
        assert statuses[NewsItem.Status.DRAFT] > 0
        withdrawn = NewsItem.objects.filter(status=NewsItem.Status.WITHDRAWN)
        assert withdrawn.exists()
        assert not withdrawn.filter(withdrawn_reason="").exists()
        scheduled = NewsItem.objects.filter(published_at__year=SCHEDULED_YEAR)
        assert scheduled.exists()
        assert not scheduled.filter(pk__in=NewsItem.objects.published()).exists()

    def test_items_have_one_to_three_fields_and_up_to_three_countries(self):
        items = NewsItem.objects.annotate(
            fields=Count("fields_of_work", distinct=True, filter=Q(fields_of_work__parent=None)),
            subtopics=Count(
                "fields_of_work", distinct=True, filter=~Q(fields_of_work__parent=None)
            ),
            places=Count("countries", distinct=True),
        )
        assert set(items.values_list("fields", flat=True)) == {1, 2, 3}
        assert set(items.values_list("subtopics", flat=True)) == {0, 1}
        assert set(items.values_list("places", flat=True)) == {0, 1, 2, 3}

    def test_an_item_on_a_sub_topic_is_on_its_field_too(self):
        on_subtopics = NewsItem.objects.filter(fields_of_work__parent__isnull=False).distinct()
        assert on_subtopics.count() > 20
        for item in on_subtopics.prefetch_related("fields_of_work"):
            fields = set(item.fields_of_work.all())
            assert all(f.parent in fields for f in fields if f.parent_id), item.slug

    def test_bodies_are_clean_html_with_paragraphs(self):
        for title, body in NewsItem.objects.values_list("title", "body"):
            assert body.startswith("<p>") and clean_body(body) == body, title
        assert NewsItem.objects.filter(body__contains="<h2>").exists()
        assert NewsItem.objects.filter(body__contains="<ul>").exists()
        assert NewsItem.objects.filter(body__contains='href="https://example.org/').exists()

    def test_every_field_of_work_has_its_words_in_the_body_found_by_english_stemming(self):
        items = NewsItem.objects.filter(fields_of_work__slug="border-management", language="en")
        assert items.count() > 20
        query = SearchQuery("borders or customs", config="english", search_type="websearch")
        found = items.annotate(words=SearchVector("body", config="english")).filter(words=query)
        assert found.count() == items.count()


@pytest.fixture(scope="class")
def corpus_with_russian(django_db_setup, django_db_blocker):
    """600 items made once for the class, rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        generate(count=600, seed=8)
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("corpus_with_russian")
class TestRussianVersions:
    """Stories of the Secretariat and of the field operations where Russian is spoken come with
    Russian versions, in their translation groups, indexed with Russian stemming."""

    def test_some_items_have_a_russian_version_and_the_count_holds(self):
        assert NewsItem.objects.count() == 600
        russian = NewsItem.objects.filter(language="ru")
        assert 10 < russian.count() < 120
        for item in russian.select_related("translated_from"):
            assert item.translated_from.language == "en"
            assert item.translation_key == item.translated_from.translation_key
            assert item.slug == f"{item.translated_from.slug}-ru"
            assert item.search_config == "russian"

    def test_russian_versions_are_found_by_russian_stemming(self):
        russian = NewsItem.objects.filter(language="ru")
        query = SearchQuery("мероприятие", config="russian", search_type="websearch")
        assert russian.filter(search_document=query).exists()


def test_the_same_seed_gives_the_same_export():
    generate(count=150, seed=5)
    first = export()
    generate(count=150, seed=5, replace=True)
    assert export() == first


def test_another_seed_gives_another_corpus():
    generate(count=150, seed=5)
    first = export()
    generate(count=150, seed=6, replace=True)
    second = export()
    assert second != first
    assert NewsItem.objects.filter(slug__startswith="gen-6-").count() == 150


def test_refuses_to_add_to_an_earlier_corpus_without_replace():
    generate(count=30, seed=1)
    with pytest.raises(CommandError, match="--replace"):
        generate(count=30, seed=2)
    assert NewsItem.objects.count() == 30


def test_replace_deletes_the_earlier_corpus_and_keeps_other_items():
    NewsItem.objects.create(
        slug="gen-z-youth-forum", title="Gen Z youth forum", status=NewsItem.Status.DRAFT
    )
    generate(count=40, seed=1)
    generate(count=25, seed=2, replace=True)
    assert NewsItem.objects.filter(slug__startswith="gen-2-").count() == 25
    assert not NewsItem.objects.filter(slug__startswith="gen-1-").exists()
    assert NewsItem.objects.filter(slug="gen-z-youth-forum").exists()


@pytest.mark.parametrize(
    "options",
    [
        {"count": 0},
        {"count": -5},
        {"count": 2_000_001},
        {"count": 10, "seed": -1},
        {"count": 10, "until": "1996-12-31"},
        {"count": 10, "until": "2999-01-01"},
        {"count": 10, "until": "yesterday"},
    ],
)
def test_bad_arguments_are_command_errors(options):
    with pytest.raises(CommandError):
        generate(**options)
    assert not NewsItem.objects.exists()


def test_a_bad_date_on_the_command_line_is_a_usage_error_not_a_traceback():
    command = [sys.executable, "manage.py", "generate_news", "--count", "5", "--until", "x"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    run = subprocess.run(command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True)
    assert run.returncode == 2
    assert "--until: 'x' is not a date (YYYY-MM-DD)" in run.stderr
    assert "Traceback" not in run.stderr


def test_an_earlier_end_date_ends_the_corpus_there():
    generate(count=100, seed=4, until="2010-06-30")
    dated = NewsItem.objects.filter(published_at__year__lt=SCHEDULED_YEAR)
    assert max(issued_on(item) for item in dated) <= datetime.date(2010, 6, 30)


def test_without_the_taxonomy_it_says_what_to_run():
    FieldOfWork.objects.exclude(parent=None).delete()  # sub-topics first: they protect their field
    FieldOfWork.objects.all().delete()
    with pytest.raises(CommandError, match="load_reference_data"):
        generate(count=10)


# --- the child process that writes the corpus (sampledata/child.py) ----------------------------


def batches_of(count, seed, size, **options):
    return child.batches_from_child(
        count, seed, until=CORPUS_END, taxonomy=Taxonomy(), size=size, **options
    )


def test_the_child_writes_what_the_generator_writes_in_batches_of_the_size_asked():
    expected = list(generate_lines(130, 9))
    batches = list(batches_of(130, 9, size=50))
    assert [len(lines) for lines, items in batches] == [50, 50, 30]
    lines = [line for batch, _ in batches for line in batch]
    items = [item for _, batch in batches for item in batch]
    assert [line.slug for line in lines] == [line.slug for line in expected]
    assert [line.translation_of for line in lines] == [line.translation_of for line in expected]
    assert [[s.pk for s in line.structures] for line in lines] == [
        [s.pk for s in line.structures] for line in expected
    ]
    assert [item.slug for item in items] == [line.slug for line in expected]
    assert [item.body for item in items] == [clean_body(line.values["body"]) for line in expected]
    assert [item.title for item in items] == [line.values["title"] for line in expected]


def test_a_fault_in_the_child_is_a_command_error_with_its_traceback(monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("no such plan")
        yield  # a generator, as generate() is

    monkeypatch.setattr(child, "generate", broken)
    with pytest.raises(CommandError, match=r"(?s)could not be written.*KeyError: 'no such plan'"):
        generate(count=10)
    assert not NewsItem.objects.exists()


def test_a_child_that_dies_without_a_word_is_an_error_not_a_hang(monkeypatch):
    monkeypatch.setattr(child, "write", lambda *args: os._exit(3))
    with pytest.raises(CommandError, match=r"ended without a word \(exit code 3\)"):
        generate(count=10)
    assert not NewsItem.objects.exists()


def test_the_child_may_not_speak_on_the_connection_it_inherits(monkeypatch):
    """A query in the child would go out on the parent's connection, in the middle of its
    transaction: it fails in the child instead, and the parent's connection still works."""

    def querying(*args, **kwargs):
        NewsItem.objects.count()
        yield

    monkeypatch.setattr(child, "generate", querying)
    with pytest.raises(CorpusError, match="may not query the database"):
        list(batches_of(10, 1, size=5))
    assert NewsItem.objects.count() == 0


def test_a_caller_that_stops_early_stops_the_child():
    batches = batches_of(600, 2, size=50)
    next(batches)
    processes = multiprocessing.active_children()
    assert [p.name for p in processes] == ["generate_news-writer"]
    batches.close()
    assert not processes[0].is_alive()
