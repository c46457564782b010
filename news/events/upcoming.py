"""The upcoming public events of a taxonomy page: a field of work (and its sub-topics), a
country, an organising structure. One query each, at most a few events."""

from django.db.models import Exists, OuterRef

from ..models import Event, EventOrganiser, FieldOfWork

TAXONOMY_PAGE_COUNT = 5


def upcoming_events():
    return Event.objects.published().upcoming().select_related("series", "country")


def in_field(field):
    fields = FieldOfWork.objects.with_subtopics_of([field]).order_by().values("pk")
    links = Event.fields_of_work.through.objects.filter(
        event=OuterRef("pk"), fieldofwork__in=fields
    )
    return upcoming_events().filter(Exists(links))[:TAXONOMY_PAGE_COUNT]


def in_country(country):
    return upcoming_events().filter(country=country)[:TAXONOMY_PAGE_COUNT]


def organised_by(structure):
    links = EventOrganiser.objects.filter(event=OuterRef("pk"), structure=structure)
    return upcoming_events().filter(Exists(links))[:TAXONOMY_PAGE_COUNT]
