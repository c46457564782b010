from django.apps import AppConfig
from django.core.signals import request_finished, request_started
from django.db.backends.signals import connection_created
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _

# What any cached public page, facet count or menu may show (news/pagecache.py).
PAGE_MODELS = (
    "countries.Country",
    "countries.Chairpersonship",
    "structures.Structure",
    "news.FieldOfWork",
    "structures.FormerName",
    "news.NewsItem",
    "news.IssuingBody",
    "news.TaggedNewsItem",
    "taggit.Tag",
    "news.MeetingSeries",
    "news.Event",
    "news.EventOrganiser",
    "news.EventDocument",
)


class NewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "news"
    verbose_name = _("News")

    def ready(self):
        """The only place where cached things are tied to the changes that make them stale."""
        from . import pagecache, search_sqlite, taxonomy_cache
        from .models import Event, NewsItem

        # The text of an item's body for SQLite's search table (news/search_sqlite.py).
        connection_created.connect(search_sqlite.add_functions, dispatch_uid="sqlite-search")

        # What a request has read of the taxonomy's version is its own.
        request_started.connect(taxonomy_cache.start_request, dispatch_uid="taxonomy-start")
        request_finished.connect(taxonomy_cache.end_request, dispatch_uid="taxonomy-end")

        for label in PAGE_MODELS:
            model = self.apps.get_model(label)
            for signal in (post_save, post_delete):
                signal.connect(
                    pagecache.bump_on_commit, sender=model, dispatch_uid=f"pages-{label}-{signal}"
                )
        for through in (
            NewsItem.fields_of_work.through,
            NewsItem.countries.through,
            Event.fields_of_work.through,
        ):
            m2m_changed.connect(
                pagecache.bump_on_commit, sender=through, dispatch_uid=f"pages-{through}"
            )
