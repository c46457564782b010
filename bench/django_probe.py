"""The parts of the benchmark that run inside Django, in a process of their own with the same
environment as the server under test (bench/run.py starts it):

    python -m bench.django_probe info                         what the bench database holds
    python -m bench.django_probe measure [--repeat N] PATH…   SQL queries and time per request
    python -m bench.django_probe urls [--seed N] [--per-set N]  the cold pass's sets of addresses

Each prints one JSON document on standard output.
"""

import argparse
import itertools
import json
import random
import re
import statistics
import string
import sys
import time
from urllib.parse import urlencode

import django


def database_info():
    """The newest public article (the article page to load), the item counts and whether every
    migration on disk is applied."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from news.models import NewsItem

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    on_disk = {f"{app}.{name}" for app, name in loader.disk_migrations}
    applied = {f"{app}.{name}" for app, name in loader.applied_migrations}
    # Only the columns the address needs: a database a migration has yet to reach (corpus.py
    # applies it after this answer) lacks the columns it adds.
    newest = NewsItem.objects.published().newest_first().only("slug", "language").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        postgres_version = cursor.fetchone()[0]
    return {
        "items": NewsItem.objects.count(),
        "published": NewsItem.objects.published().count(),
        "article_path": newest.get_absolute_url() if newest else None,
        "migrations": sorted(on_disk),
        "unapplied_migrations": sorted(on_disk - applied),
        "postgres_version": postgres_version,
    }


def measure_path(path, client, repeat):
    """For one address: the SQL queries of the first request (cold: empty caches) and of the
    second (warm: what most requests of a busy site cost), then the median time of `repeat`
    more, one after another: the time a request takes when it waits for nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for _attempt in ("cold", "warm"):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        counts.append(len(captured.captured_queries))
    timings = []
    for _attempt in range(repeat):
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "path": path,
        "status": response.status_code,
        "queries_cold": counts[0],
        "queries": counts[1],
        "single_ms": round(statistics.median(timings), 2) if timings else None,
    }


def measure_paths(paths, repeat):
    from .back_office import site_client

    # A page that fails is reported with its status (500) rather than stopping the count.
    client = site_client(raise_request_exception=False)
    return [measure_path(path, client, repeat) for path in paths]


# The cold pass (issue 15): sets of addresses that each ask the site for something it has not
# just computed, the way visitors spread over the archive do. Every address must be in the
# canonical form the listing keeps (sorted parameters, no `page=1`): anything else answers 301.
LISTING_LANGUAGES = ("en", "ru")  # /news/ and /ru/news/
# Search words: the words of the titles (split at spaces, without the punctuation around them)
# that are lower-case letters only, at least four (not acronyms, names, "OSCE-supported"),
# without the commonest English words. English only: the addresses are of the English listing,
# where a Russian word would find nothing.
PUNCTUATION = string.punctuation + "«»“”‘’"
WORD = re.compile(r"[a-z]{4,}")
COMMON_WORDS = (
    "about above after again against also among amid been before being below between both "
    "came come does doing down during each from further have having here into more most much "
    "must near next once only other over said same some such than that their them then there "
    "these they this those through under until upon very were what when where which while "
    "whom will with within without would your"
)
STOP_WORDS = frozenset(COMMON_WORDS.split())
# The search and phrase sets are drawn from random titles, each address a new one; a slot that
# this many draws leave without a new address stays empty (a small corpus has few words).
DRAWS_PER_ADDRESS = 50


def cold_urls(seed, per_set):
    """{set: [path, …]} for the cold pass, the same for the same seed and database: every SQL
    read is ordered by id and every choice made by a `random.Random(seed)` of the set's own,
    so that one set's size does not change another's addresses."""
    from countries.models import Country
    from news.models import FieldOfWork, NewsItem

    field_slugs = list(FieldOfWork.objects.order_by("id").values_list("slug", flat=True))
    country_slugs = list(Country.objects.order_by("id").values_list("slug", flat=True))
    published = NewsItem.objects.published().order_by("id")
    titles = list(published.values_list("title", flat=True))
    return {
        "listing": listing_paths(per_set),
        "field_country": field_country_paths(
            random.Random(seed), field_slugs, country_slugs, per_set
        ),
        "search": search_paths(random.Random(seed), titles, field_slugs, per_set),
        "phrase": phrase_paths(random.Random(seed), titles, per_set),
        "article": article_paths(random.Random(seed), published, per_set),
    }


def listing_path(**params):
    from languages.urls import reverse_in

    return with_query(reverse_in("en", "news:list"), params)


def with_query(path, params):
    """`path?…` with the parameters in the order given (the caller gives them sorted, as the
    canonical form has them), encoded with quote_plus; the bare path without any."""
    return f"{path}?{urlencode(list(params.items()))}" if params else path


def listing_paths(per_set):
    """Every page of the listing in English and in Russian, interleaved (page 1 of each, page 2
    of each, …), as far as the paginator goes: its cap or the last page of the language's view.
    Page 1 is the bare address: `?page=1` is redirected to it."""
    from languages.urls import reverse_in
    from news.listing.pagination import MAX_PAGES
    from news.models import NewsItem
    from news.views import NewsListView

    pages = {}
    for code in LISTING_LANGUAGES:
        shown = NewsItem.objects.published().in_language_view(code).count()
        last = min(MAX_PAGES, max(1, -(-shown // NewsListView.paginate_by)))
        pages[code] = [
            with_query(reverse_in(code, "news:list"), {"page": page} if page > 1 else {})
            for page in range(1, last + 1)
        ]
    interleaved = []
    for page in range(max(len(paths) for paths in pages.values())):
        interleaved += [paths[page] for paths in pages.values() if page < len(paths)]
    return interleaved[:per_set]


def field_country_paths(rng, field_slugs, country_slugs, per_set):
    """Every (field of work, country) pair, in a shuffled order, as the two-facet listing."""
    pairs = [(field, country) for field in field_slugs for country in country_slugs]
    rng.shuffle(pairs)
    return [listing_path(country=country, field=field) for field, country in pairs[:per_set]]


def is_word(token):
    return WORD.fullmatch(token) is not None and token not in STOP_WORDS


def tokens(title):
    return [token.strip(PUNCTUATION) for token in title.split()]


def words(title):
    """The title's search words, each once, in the title's order."""
    return list(dict.fromkeys(token for token in tokens(title) if is_word(token)))


def adjacent_pairs(title):
    """Pairs of search words that follow each other in the title, for a phrase search. Any
    other word between them (a name, "of") breaks the sequence."""
    kept = [token if is_word(token) else None for token in tokens(title)]
    return [(a, b) for a, b in itertools.pairwise(kept) if a and b and a != b]


def distinct_draws(per_set, draw):
    """Distinct paths from `draw(slot)` (None: that draw found nothing) for slots 0 to
    `per_set` - 1, in slot order: each slot draws until it finds a path not found before.
    Filling slot by slot keeps the mix the slot numbers set, whatever repeats more often."""
    found = {}
    for slot in range(per_set):
        for _attempt in range(DRAWS_PER_ADDRESS):
            path = draw(slot)
            if path is not None and path not in found:
                found[path] = None
                break
    return list(found)


def search_paths(rng, titles, field_slugs, per_set):
    """One word of a published title (even slots) or two words of the same title (odd slots),
    with a field of work in every third slot: `/news/?field=x&q=word` (field before q, the
    canonical order)."""

    def draw(slot):
        title_words = words(rng.choice(titles))
        size = 1 if slot % 2 == 0 else 2
        if len(title_words) < size:
            return None
        chosen = sorted(rng.sample(range(len(title_words)), size))  # in the title's order
        params = {"field": rng.choice(field_slugs)} if slot % 3 == 0 else {}
        return listing_path(**params, q=" ".join(title_words[i] for i in chosen))

    return distinct_draws(per_set, draw) if titles else []


def phrase_paths(rng, titles, per_set):
    """Two consecutive words of a published title, as a phrase: `/news/?q=%22w1+w2%22`."""

    def draw(slot):
        pairs = adjacent_pairs(rng.choice(titles))
        return listing_path(q='"{}"'.format(" ".join(rng.choice(pairs)))) if pairs else None

    return distinct_draws(per_set, draw) if titles else []


def article_paths(rng, published, per_set):
    """The addresses of published items drawn from all their ids, in the order drawn."""
    ids = list(published.values_list("id", flat=True))
    chosen = rng.sample(ids, min(per_set, len(ids)))
    items = published.only("id", "language", "slug").in_bulk(chosen)
    return [items[item_id].get_absolute_url() for item_id in chosen]


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.django_probe")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("info")
    measure = commands.add_parser("measure")
    measure.add_argument("--repeat", type=int, default=5)
    measure.add_argument("paths", nargs="+")
    urls = commands.add_parser("urls")
    urls.add_argument("--seed", type=int, default=1)
    urls.add_argument("--per-set", type=int, default=400)
    return parser.parse_args(argv)


def main(argv=None):
    arguments = parse_arguments(argv)
    django.setup()
    if arguments.command == "info":
        result = database_info()
    elif arguments.command == "urls":
        result = cold_urls(arguments.seed, arguments.per_set)
    else:
        result = measure_paths(arguments.paths, arguments.repeat)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
