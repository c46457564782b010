import datetime

import factory
from django.utils import timezone

from news.models import Alias, IssuingBody, NewsItem
from structures.models import Structure


class NewsItemFactory(factory.django.DjangoModelFactory):
    """A published news item from yesterday, issued by the Secretariat unless told otherwise."""

    class Meta:
        model = NewsItem
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"News item number {n}")
    slug = factory.Sequence(lambda n: f"news-item-{n}")
    lead = "A short lead."
    body = "<p>Body text.</p>"
    status = NewsItem.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))

    @factory.post_generation
    def issued_by(self, create, extracted, **kwargs):
        if not create:
            return
        structures = (
            extracted if extracted is not None else [Structure.objects.get(slug="secretariat")]
        )
        IssuingBody.objects.bulk_create(
            IssuingBody(news_item=self, structure=s, position=i) for i, s in enumerate(structures)
        )

    @factory.post_generation
    def fields_of_work(self, create, extracted, **kwargs):
        if create and extracted:
            self.fields_of_work.set(extracted)

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        if create and extracted:
            self.countries.set(extracted)


class AliasFactory(factory.django.DjangoModelFactory):
    """Another label of a taxonomy entry: give one target, `field_of_work`, `structure` or
    `country`; the kind, the compared key and the slug follow from the label on save."""

    class Meta:
        model = Alias

    label = factory.Sequence(lambda n: f"Variant label {n}")
