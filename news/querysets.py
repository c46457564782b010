"""What each audience may see of the news, defined once: the public (`published()`, and its
complement `not_public()`, with `scheduled()` the items about to join it) and the editors of the
back office (`editable_by(user)`). Every public surface starts from `published()`; a page in
one language narrows it with `in_language_view(code)`."""

import itertools

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from languages import registry as languages

from . import taxonomy_cache
from .links import LINKS

# Managers (and superusers) edit the news of every body (news/permissions.py sets the groups up).
EDIT_ALL = "news.edit_all_newsitems"


def edits_all(user):
    return user.is_active and (user.is_superuser or user.has_perm(EDIT_ALL))


class NewsItemQuerySet(models.QuerySet):
    # The links to read with the items (news/taxonomy_cache.py: LISTING, ARTICLE), if any.
    _links = ()

    def _clone(self):
        clone = super()._clone()
        clone._links = self._links
        return clone

    def _reads_links(self):
        return self._links and self._iterable_class is models.query.ModelIterable

    def _fetch_all(self):
        if self._result_cache is None and self._reads_links() and self._links_selectable():
            # The links in the items' own statement (news/taxonomy_cache.py): no round trip
            # of their own.
            reading = self._chain()
            reading._links = ()
            taxonomy_cache.select_links(reading.query, self.model, self._links)
            reading._fetch_all()
            self._result_cache, self._prefetch_done = reading._result_cache, True
            taxonomy_cache.attach_selected_links(self.model, self._result_cache, self._links)
            return
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and self._reads_links():
            taxonomy_cache.attach_links(self.model, self._result_cache, self._links)

    def _links_selectable(self):
        """Whether the links may be read as columns of the items' statement: where the process
        keeps the taxonomy, and from the first row on. PostgreSQL works out the columns of the
        rows an OFFSET skips too (5,020 rows' links for page 252 of a listing)."""
        return (
            taxonomy_cache.usable()
            and not self.query.combinator
            and not self.query.low_mark
            and not self.query.distinct_fields
        )

    def _iterator(self, use_chunked_fetch, chunk_size):
        # As Django prefetches for iterator(chunk_size): the links of each chunk at once.
        rows = super()._iterator(use_chunked_fetch, chunk_size)
        if not self._reads_links():
            yield from rows
            return
        while chunk := list(itertools.islice(rows, chunk_size or 2000)):
            taxonomy_cache.attach_links(self.model, chunk, self._links)
            yield from chunk

    def published(self, at=None):
        """The one definition of "public": published, and its time has come (`at`, now by
        default). A scheduled item (published with a future time) becomes public by itself when
        that time passes."""
        moment = timezone.now() if at is None else at
        return self.filter(status=self.model.Status.PUBLISHED, published_at__lte=moment)

    def not_public(self):
        """Exactly the items `published()` leaves out: drafts, withdrawn items and scheduled
        ones. Spelled out by status, so that PostgreSQL finds these few from an index."""
        Status = self.model.Status
        hidden_statuses = [status for status in Status.values if status != Status.PUBLISHED]
        return self.filter(Q(status__in=hidden_statuses) | self.scheduled_condition())

    def scheduled(self):
        """Published with a time still ahead: public by themselves at that time."""
        return self.filter(self.scheduled_condition())

    def scheduled_condition(self):
        return Q(status=self.model.Status.PUBLISHED, published_at__gt=timezone.now())

    def editable_by(self, user, *, item_by_item=False):
        """The items `user` may see and edit in the back office: every item for managers, else
        those issued by a body the user works for.

        With `item_by_item`, each item the rest of the query finds is tested on its own, for a
        few items another index finds (the desk's shelves). PostgreSQL otherwise reads
        every link row of the user's bodies into a hash to test them against, which is what a
        search over an office's archive wants, but 27 ms for the Secretariat's 164,097 rows at
        a million items against 1,494 items tested one by one in 4 ms (bench/README.md, "Desk
        at 1,000,000 items")."""
        if edits_all(user):
            return self
        bodies = LINKS["issued_by"].model(self.model).objects
        # The user's bodies are read first (a few ids): PostgreSQL then starts from their link
        # rows. With the editors' tables joined inside the EXISTS it tested every row instead:
        # an editor's search over a million items took 250 ms, 87 ms so (bench/README.md).
        structures = bodies.model._meta.get_field("structure").related_model.objects
        mine = list(structures.filter(editors__user=user).values_list("pk", flat=True))
        rows = bodies.filter(news_item=OuterRef("pk"), structure__in=mine)
        if item_by_item and mine:
            # A scalar subquery is run for each row; an EXISTS would be made a (hash) join. It
            # reads the link table's unique index alone (item, body): no order, no other column.
            first_body = Subquery(rows.order_by().values("structure")[:1])
            return self.alias(first_body=first_body).filter(first_body__isnull=False)
        return self.filter(Exists(rows))

    # A page in a language shows the items written in it and, for the translation groups with no
    # public item in it, their English originals. One table, no join: the groups translated into
    # the language are a subquery of the same table, uncorrelated, so that PostgreSQL makes one
    # hash of their keys and probes it, where a correlated NOT EXISTS inside the OR would be run
    # once per English item (3.3 s instead of 1 s for the cold facet counts of /ru/news/ at
    # 100,000 items). translation_key is never NULL, so NOT IN means what it says.
    def language_view_condition(self, code=None):
        """The condition of `in_language_view(code)`, as a Q (its negation is its complement)."""
        code = code or languages.current().code
        if code == languages.DEFAULT:
            return Q(language=code)
        translated = self.model.objects.published().filter(language=code)
        return Q(language=code) | Q(language=languages.DEFAULT) & ~Q(
            translation_key__in=translated.values("translation_key")
        )

    def in_language_view(self, code=None):
        """What a listing in language `code` (the page's by default) shows: the items in `code`,
        and the English items of groups without a public item in `code` ("in English"). A draft
        or scheduled translation hides nothing. On English pages, the English items only."""
        return self.filter(self.language_view_condition(code))

    def outside_language_view(self, code=None):
        """Exactly the items `in_language_view(code)` leaves out, whatever their status."""
        return self.exclude(self.language_view_condition(code))

    def source_changed_condition(self):
        """Whether an item's source was saved after the item last was: the queryset side of
        `NewsItem.source_changed` (the admin's list filter and annotation, the desk). The
        source's version is read from the item's own row, where the database keeps it
        (news/migrations/0021_desk_indexes.py), so that an index finds these few items rather
        than each translation being compared with its source."""
        return GreaterThan(F("source_version_now"), F("source_version"))

    def source_changed(self):
        """Translations whose source was saved since they were: to be checked against it."""
        return self.filter(self.source_changed_condition())

    def newest_first(self):
        return self.order_by("-published_at", "-pk")

    # Exists() subqueries rather than joins: no duplicate rows, so no DISTINCT over the archive.
    # Several values are OR-ed: items in any of the fields, countries, bodies or tags.
    def linked_to(self, facet, values):
        """The items with a link row to any of `values` in `facet` (news/links.py)."""
        link = LINKS[facet]
        rows = link.model(self.model).objects.filter(
            **{link.item: OuterRef("pk"), f"{link.value}__in": values}
        )
        return self.filter(Exists(rows))

    def in_field(self, *fields):
        """Items in any of `fields` or of their sub-topics ("Media freedom and development"
        finds the items on "Safety of journalists" too): a subquery, no query of its own."""
        field_model = self.model._meta.get_field("fields_of_work").related_model
        covered = field_model.objects.with_subtopics_of(fields).order_by().values("pk")
        return self.linked_to("field", covered)

    def for_country(self, *countries):
        return self.linked_to("country", countries)

    def issued_by(self, *structures):
        return self.linked_to("issued_by", structures)

    def tagged(self, *tags):
        return self.linked_to("tag", tags)

    def using_tag(self):
        """For a query of tags (taggit's Tag): whether any of these items carries the tag, e.g.
        `Tag.objects.filter(NewsItem.objects.published().using_tag())`."""
        return Exists(self.filter(tagged_items__tag=OuterRef("pk")))

    def with_links(self, links=("issued_by", "field")):
        """The items with their links read at once (news/taxonomy_cache.py): by default the
        issuing bodies (with former names, for the name in force on the item's date) and fields
        of work; one statement for the whole page whatever its length."""
        clone = self._chain()
        clone._links = tuple(links)
        return clone

    def for_listing(self):
        """What a listing row shows. Neither the body nor the search document is read: a sorted
        search carries every column it selects through the sort of all its matches (the cost is
        in bench/README.md, "Measurements behind design choices")."""
        return self.with_links().defer("body", "search_document")

    def for_article(self):
        """What an article page (and the API's item) shows: the body, countries and tags too,
        and the event it is part of (its "Part of" line, in the same query)."""
        return (
            self.with_links(("issued_by", "field", "country", "tag"))
            .defer("search_document")
            .select_related("event")
        )
