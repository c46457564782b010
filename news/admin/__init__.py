"""The editorial back office (Django's admin): news items (newsitem.py, with its form, history,
preview and bulk actions beside it), the taxonomy as the news uses it, and the editors. The rules
of who may do what are in news/permissions.py; every view here asks there."""

from . import editors, events, newsitem, taxonomy  # noqa: F401  (each registers its admins)
