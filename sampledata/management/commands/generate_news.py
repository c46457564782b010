import argparse
import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries, transaction
from django.utils import timezone

from news.jsonl_store import create_all
from news.models import NewsItem
from sampledata import corpus
from sampledata.child import batches_from_child
from sampledata.taxonomy import Taxonomy

BATCH_SIZE = 5000


def generated_items():
    return NewsItem.objects.filter(slug__regex=corpus.SLUG_PATTERN)


def until_date(value):
    """--until as a date; argparse reports a bad one as a usage error, not a traceback."""
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Create a deterministic synthetic news corpus for benchmarks: the same --count and --seed "
        "give the same items on any machine. Items are dated 1997-01-01 to --until (a fixed date, "
        f"{corpus.CORPUS_END} by default, so that the clock plays no part); the few scheduled ones "
        f"are dated in {corpus.SCHEDULED_YEAR}. Every item has the tag "
        f"“{corpus.GENERATED_TAG}” and a slug starting “gen-<seed>-”."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="number of items to create")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete the items of an earlier run first (needed when there are any)",
        )
        parser.add_argument(
            "--until",
            type=until_date,
            default=corpus.CORPUS_END,
            help=f"last day of the corpus (default: {corpus.CORPUS_END})",
        )

    def handle(self, *args, count, seed, replace, until, **options):
        if not 0 < count <= corpus.MAX_COUNT:
            raise CommandError(f"--count must be between 1 and {corpus.MAX_COUNT:,}, not {count}.")
        if not isinstance(until, datetime.date):  # call_command passes options unparsed
            try:
                until = until_date(until)
            except argparse.ArgumentTypeError as error:
                raise CommandError(f"--until {error}") from None
        if seed < 0:
            raise CommandError(f"--seed must be 0 or more, not {seed}.")
        if not corpus.CORPUS_START < until < timezone.localdate():
            raise CommandError(
                f"--until must lie between {corpus.CORPUS_START} and yesterday, not {until}."
            )
        existing = generated_items().count()
        if existing and not replace:
            raise CommandError(
                f"{existing:,} generated news item(s) from an earlier run exist (slugs starting "
                "“gen-”). Run again with --replace to delete them first."
            )
        try:
            # Read here, before the writing process is forked: it inherits it (sampledata/child.py).
            taxonomy = Taxonomy()
            with transaction.atomic():
                if existing:
                    self.stderr.write(f"Deleting {existing:,} generated item(s)…")
                    generated_items().delete()
                batches = batches_from_child(
                    count, seed, until=until, taxonomy=taxonomy, size=BATCH_SIZE
                )
                created = self.create(batches, count)
        except corpus.CorpusError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"{created:,} news item(s) generated (seed {seed}, until {until}).")
        )

    def create(self, batches, count):
        started, created = time.monotonic(), 0
        tag_ids, names_cache = {}, {}  # kept across batches (news/jsonl_copy.py)
        for batch, items in batches:
            create_all(batch, items, tag_ids=tag_ids, names_cache=names_cache)
            reset_queries()  # with DEBUG on, Django would keep every multi-megabyte INSERT
            created += len(batch)
            elapsed = time.monotonic() - started
            self.stderr.write(f"… {created:,} / {count:,} items ({elapsed:.0f} s)")
        return created
