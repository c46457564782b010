from django.db import models
from django.db.models import Prefetch
from django.utils import timezone


class NewsItemQuerySet(models.QuerySet):
    def published(self):
        """The one definition of "public": published, and its time has come. A scheduled item
        (published with a future time) becomes public by itself when that time passes."""
        return self.filter(status=self.model.Status.PUBLISHED, published_at__lte=timezone.now())

    def newest_first(self):
        return self.order_by("-published_at", "-pk")

    def in_field(self, *fields):
        return self.filter(fields_of_work__in=fields).distinct()

    def for_country(self, *countries):
        return self.filter(countries__in=countries).distinct()

    def issued_by(self, *structures):
        return self.filter(issued_by__in=structures).distinct()

    def for_listing(self):
        """What a listing row shows: issuing bodies (with former names, for the name in force on
        the item's date) and fields of work, fetched in a fixed number of queries."""
        from structures.models import FormerName

        from .models import IssuingBody

        return self.prefetch_related(
            Prefetch(
                "issuing_bodies",
                queryset=IssuingBody.objects.select_related("structure").prefetch_related(
                    Prefetch("structure__former_names", queryset=FormerName.objects.all())
                ),
            ),
            "fields_of_work",
        )

    def for_article(self):
        return self.for_listing().prefetch_related("countries", "tags")
