"""The link rows between news items and the values of each facet, described once: the querysets
filter by them (news/querysets.py), the facet counts count them (news/listing/facets.py), the
related items score them (news/related.py). Described by field names, so that this module needs
no model and every module may use it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    facet: str  # the listing's GET parameter
    relation: str  # NewsItem's many-to-many field or reverse relation that reaches the rows
    item: str  # the link row's field to the item
    value: str  # the link row's field to the value (field of work, country, structure, tag)

    def model(self, news_item_model):
        """The model of the link rows (an automatic through model, or IssuingBody, …)."""
        field = news_item_model._meta.get_field(self.relation)
        return field.remote_field.through if field.many_to_many else field.related_model

    def columns(self, news_item_model):
        """(table, item column, value column) of the link rows, for SQL of our own."""
        meta = self.model(news_item_model)._meta
        return meta.db_table, meta.get_field(self.item).column, meta.get_field(self.value).column


LINKS = {
    link.facet: link
    for link in (
        Link("field", "fields_of_work", "newsitem", "fieldofwork"),
        Link("country", "countries", "newsitem", "country"),
        # Items link to the structure itself: items issued under a former name count too.
        Link("issued_by", "issuing_bodies", "news_item", "structure"),
        Link("tag", "tagged_items", "content_object", "tag"),
    )
}
