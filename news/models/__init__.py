"""The news app's models: the taxonomy it owns (models/taxonomy.py) and the news items with
their links and editors (models/items.py)."""

from .items import (
    RESERVED_SLUGS,
    EditorProfile,
    IssuingBody,
    NewsItem,
    TaggedNewsItem,
    storable_time,
    validate_free_slug,
)
from .taxonomy import Alias, FieldOfWork, FieldOfWorkQuerySet, ReferenceSnapshot

__all__ = [
    "RESERVED_SLUGS", "Alias", "EditorProfile", "FieldOfWork", "FieldOfWorkQuerySet",
    "IssuingBody", "NewsItem", "ReferenceSnapshot", "TaggedNewsItem", "storable_time",
    "validate_free_slug",
]  # fmt: skip
