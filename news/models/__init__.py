"""The news app's models: the taxonomy it owns (models/taxonomy.py), the news items with
their links and editors (models/items.py) and their co-issuers' sign-offs (models/signoffs.py)."""

from .events import Event, EventDocument, EventOrganiser, MeetingSeries
from .items import (
    RESERVED_SLUGS,
    EditorProfile,
    IssuingBody,
    NewsItem,
    TaggedNewsItem,
    storable_time,
    validate_free_slug,
)
from .signoffs import SignOff
from .taxonomy import Alias, FieldOfWork, FieldOfWorkQuerySet, ReferenceSnapshot

__all__ = [
    "RESERVED_SLUGS", "Alias", "EditorProfile", "Event", "EventDocument", "EventOrganiser",
    "FieldOfWork", "FieldOfWorkQuerySet", "IssuingBody", "MeetingSeries", "NewsItem",
    "ReferenceSnapshot", "SignOff", "TaggedNewsItem", "storable_time", "validate_free_slug",
]  # fmt: skip
