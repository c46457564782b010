from django.http import Http404, HttpResponsePermanentRedirect
from django.utils.functional import SimpleLazyObject
from django.views.generic import DetailView, ListView

from countries.models import Chairpersonship, Country, group_countries
from structures.models import Structure, group_structures

from . import aliases, search, taxonomy_cache
from .events import upcoming
from .language_versions import article_versions, page_versions
from .listing.facets import build_facets, facet_counts, result_count
from .listing.fast import IndexedItems, IndexedListing
from .listing.filters import LISTING_READS, NewsFilter, canonical_query
from .listing.index import listing_index
from .listing.notices import listing_redirect, notices
from .listing.pagination import CappedPaginator, PageForm, page_links
from .listing.summary import active_filters, describe
from .menus import by_local_name, field_tree
from .models import Alias, FieldOfWork, NewsItem
from .page_keys import NOTHING, PAGING, Reads
from .related import related_items_and_versions
from .suggestions import suggest

LATEST_COUNT = 10


class LanguageVersionsMixin:
    """A public page links its versions in the other languages: the language switcher and the
    hreflang alternates of templates/base.html. By default the same page in each official
    language (a taxonomy page or the listing is the same page in every language)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["language_versions"] = self.get_language_versions()
        return context

    def get_language_versions(self):
        # Only the path: these pages read no GET parameter, and the page cache keeps one copy
        # of each whatever its query string (news/page_keys.py): a visitor's query must not end
        # up in it.
        return page_versions(self.request, self.request.path_info)


class HomeView(LanguageVersionsMixin, ListView):
    template_name = "home.html"
    page_cache_reads = NOTHING
    context_object_name = "latest_news"

    def get_queryset(self):
        news_items = NewsItem.objects.published().in_language_view()
        return news_items.newest_first().for_listing()[:LATEST_COUNT]


class PagedListingMixin:
    """The addresses of a listing's pages (the news', the meetings'): its canonical query at the
    page being shown (`page_number`, set by the view) or at another, for the numbered links."""

    page_number = 1

    def canonical(self, page=None):
        page = self.page_number if page is None else page
        return canonical_query(self.filterset, page=page if page > 1 else "")

    def requested_page(self):
        return self.page_number if self.page_number > 1 else ""

    def page_url(self, number):
        query = self.canonical(page=number)
        return f"{self.request.path}?{query}" if query else self.request.path


class NewsListView(PagedListingMixin, LanguageVersionsMixin, ListView):
    """The faceted listing. GET parameters are parsed by NewsFilter; a valid query that is not
    in canonical form (sorted, no empty or default values) is redirected to it, so that every
    filter combination has one shareable, cacheable address. A value no longer a choice is
    left out, or read as what it stands for, with a notice (news/listing/notices.py); a page
    past the last is sent to the last."""

    template_name = "news/newsitem_list.html"
    # Any query but the canonical form of its filters is answered with a redirect (never cached);
    # the notice of an old link's redirect is read from the query string, the key's too.
    page_cache_reads = Reads(LISTING_READS | PAGING, query_string=True)
    context_object_name = "news_items"
    paginate_by = 20
    paginator_class = CappedPaginator
    counts = None  # the facet counts of a valid filter
    listing = None  # the filter over the listing index, where there is one (news/listing/index.py)
    facet_panel_key = None  # where its rendered filter panel is cached, if anywhere
    paginator = None  # made once, to find the last page before the page is shown
    changes = ()  # what the notice of this address says was changed in the filters

    def get(self, request, *args, **kwargs):
        self.filterset = NewsFilter.for_request(request, old_links=True)
        self.paging = PageForm(request.GET)
        if not (self.filterset.is_valid() & self.paging.is_valid()):  # both checked, to tell
            self.object_list = NewsItem.objects.none()
            self.paginate_by = None  # no page to look for
            context = self.get_context_data(invalid=True)
            return self.render_to_response(context, status=400)
        self.page_number = self.paging.number()
        past_the_end = False
        with listing_index() as index:
            if index is not None:
                self.listing = IndexedListing(index, self.filterset)
            if self.page_number > 1:  # to know the last page (redirects are rare; pages too)
                self.count_facets()
                last = self.get_paginator(self.get_queryset(), self.paginate_by).num_pages
                past_the_end = self.page_number > last
                self.page_number = min(self.page_number, last)
            redirect = self.redirect(request, past_the_end)
            if redirect is not None:
                return redirect
            if self.counts is None:
                self.count_facets()
        return super().get(request, *args, **kwargs)

    def count_facets(self):
        self.counts, self.facet_panel_key = facet_counts(self.filterset, self.listing)

    def redirect(self, request, past_the_end):
        """The redirect to this listing's canonical address (news/listing/notices.py), or None
        at that address."""
        response, self.changes = listing_redirect(
            request, self.filterset, self.canonical(), past_the_end
        )
        return response

    def get_language_versions(self):
        # The same filters and page in each language, as the canonical address writes them
        # (the query string may differ from it by blank values, which the page cache's key
        # leaves out). Filters that cannot be understood have no version in another language.
        if not self.filterset.is_valid():
            return []
        query = canonical_query(self.filterset, page=self.requested_page())
        path = self.request.path_info
        return page_versions(self.request, f"{path}?{query}" if query else path)

    def taxonomy(self):
        """The taxonomy the process keeps, at the version the listing index last read."""
        if self.listing is None:
            return None
        return taxonomy_cache.taxonomy(NewsItem, self.listing.index.taxonomy_version)

    def get_queryset(self):
        if self.listing is not None:
            return IndexedItems(self.listing, NewsItem.objects.for_listing())
        return self.filterset.qs.for_listing()

    def get_paginator(self, queryset, per_page, **kwargs):
        if self.paginator is not None:
            return self.paginator
        self.paginator = super().get_paginator(queryset, per_page, **kwargs)
        if self.counts is not None:
            # The facet counts already say how many items match: no COUNT(*) over the archive.
            self.paginator.count = result_count(self.filterset, self.counts)
        return self.paginator

    def get_context_data(self, invalid=False, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = self.filterset
        context["form"] = self.filterset.form
        if invalid:
            # The visitor's choices that could be understood, kept: shown, and a link to them.
            context.update(
                page_form=self.paging,
                valid_query=canonical_query(self.filterset),
                active_filters=active_filters(self.filterset),
            )
            return context
        text = self.filterset.form.cleaned_data.get("q")
        if text:
            context["object_list"] = context["news_items"] = search.add_snippets(
                context["object_list"], text
            )
        query = canonical_query(self.filterset)
        this_page = canonical_query(self.filterset, page=self.requested_page())
        active = active_filters(self.filterset)
        context.update(
            query=query,
            canonical_url=self.request.build_absolute_uri(
                f"{self.request.path}?{this_page}" if this_page else self.request.path
            ),
            summary=describe(self.filterset, context["paginator"].count),
            active_filters=active,
            # Built only when the panel is not in the cache already.
            facets=SimpleLazyObject(
                lambda: build_facets(self.filterset, self.counts, self.taxonomy())
            ),
            facet_panel_key=self.facet_panel_key,
            suggestion=suggest(self.filterset, context["paginator"].count),
            notices=notices(self.changes, self.filterset, active),
        )
        if context["is_paginated"]:
            context["pages"] = page_links(context["page_obj"], self.page_url)
        return context


class NewsDetailView(LanguageVersionsMixin, DetailView):
    """An item is shown at its own language's address only: asked for under another language's
    prefix (/ru/news/<an English item's slug>/), it answers a permanent redirect there. Slugs are
    unique across languages, so the item is found whatever the prefix."""

    template_name = "news/newsitem_detail.html"
    page_cache_reads = NOTHING
    context_object_name = "item"
    versions = None  # the item's translation group, read with its related items

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        own_address = self.object.get_absolute_url()
        if request.path != own_address:
            return HttpResponsePermanentRedirect(own_address)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_queryset(self):
        return NewsItem.objects.published().for_article()

    def get_context_data(self, **kwargs):
        # The related items and the item's versions in other languages, in one statement.
        related, self.versions = related_items_and_versions(self.object)
        context = super().get_context_data(**kwargs)
        context["related_items"] = related
        return context

    def get_language_versions(self):
        return article_versions(self.request, self.object, self.versions)


class LatestNewsMixin(LanguageVersionsMixin):
    """A taxonomy page shows its latest published news (`get_news_items()`, by default its
    `news_items` reverse relation) in the language being read."""

    page_cache_reads = NOTHING

    def get_news_items(self):
        return self.object.news_items.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        news_items = self.get_news_items().in_language_view()
        context["latest_news"] = news_items.newest_first().for_listing()[:LATEST_COUNT]
        return context


class AliasRedirectMixin:
    """A taxonomy page asked for by the slug of one of its entry's aliases (an old link's
    /fields-of-work/combating-human-trafficking/) answers a permanent redirect to the entry's own
    address, in the same language; any other unknown slug stays a 404. `alias_kind`: the
    news.Alias.Kind of the page's entries."""

    alias_kind = None

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()
        except Http404:
            slug = kwargs.get(self.slug_url_kwarg)
            target = aliases.targets_of_slugs(self.alias_kind, [slug]).get(slug)
            if target is None:
                raise
            return HttpResponsePermanentRedirect(target.get_absolute_url())
        return self.render_to_response(self.get_context_data(object=self.object))


class FieldOfWorkListView(LanguageVersionsMixin, ListView):
    """The fields, each with its sub-topics under it; what an import added waits for an
    editor's review before it is listed."""

    page_cache_reads = NOTHING
    context_object_name = "fields"

    def get_queryset(self):
        return FieldOfWork.objects.filter(needs_review=False)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fields = context["fields"]
        context["topical_fields"] = field_tree(field for field in fields if field.is_topical)
        context["other_sections"] = [field for field in fields if not field.is_topical]
        return context


class FieldOfWorkDetailView(AliasRedirectMixin, LatestNewsMixin, DetailView):
    """A field's page: its news and those of its sub-topics, as its filter finds them, with its
    sub-topics listed (or, for a sub-topic, the field it belongs to) and its feeds."""

    alias_kind = Alias.Kind.FIELD
    context_object_name = "field"

    def get_queryset(self):
        return FieldOfWork.objects.select_related("parent")

    def get_news_items(self):
        return NewsItem.objects.published().in_field(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["subtopics"] = self.object.subtopics.filter(needs_review=False)
        context["upcoming_events"] = upcoming.in_field(self.object)
        return context


# Taxonomy pages live here, not in their own apps: they show news, and news depends on the
# taxonomies, never the other way round.
class CountryListView(LanguageVersionsMixin, ListView):
    page_cache_reads = NOTHING
    model = Country
    context_object_name = "countries"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["chairpersonship"] = Chairpersonship.objects.current()
        context["groups"] = [
            (heading, by_local_name(members))
            for _status, heading, members in group_countries(context["countries"])
        ]
        return context


class CountryDetailView(AliasRedirectMixin, LatestNewsMixin, DetailView):
    alias_kind = Alias.Kind.COUNTRY
    context_object_name = "country"

    def get_queryset(self):
        return Country.objects.prefetch_related("structures", "chairpersonships")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        by_kind = {}
        for structure in self.object.structures.all():
            by_kind.setdefault(structure.kind, []).append(structure)
        context["field_operations"] = by_kind.pop(Structure.Kind.FIELD_OPERATION, [])
        context["closed_field_activities"] = by_kind.pop(Structure.Kind.CLOSED_FIELD_ACTIVITY, [])
        # Institutions and other bodies seated in the country.
        context["other_structures"] = [s for group in by_kind.values() for s in group]
        context["chairpersonship_years"] = sorted(
            c.year for c in self.object.chairpersonships.all()
        )
        context["upcoming_events"] = upcoming.in_country(self.object)
        return context


class StructureListView(LanguageVersionsMixin, ListView):
    page_cache_reads = NOTHING
    context_object_name = "structures"

    def get_queryset(self):
        # What an import added waits for an editor's review before it is listed.
        return Structure.objects.filter(needs_review=False).select_related("country")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["groups"] = group_structures(context["structures"])
        return context


class StructureDetailView(AliasRedirectMixin, LatestNewsMixin, DetailView):
    alias_kind = Alias.Kind.STRUCTURE
    context_object_name = "structure"

    def get_queryset(self):
        return Structure.objects.select_related("country", "parent", "successor").prefetch_related(
            "former_names", "children", "predecessors"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object.kind == Structure.Kind.CHAIRPERSONSHIP:
            context["chairpersonships"] = Chairpersonship.objects.select_related("country")
        context["upcoming_events"] = upcoming.organised_by(self.object)
        return context
