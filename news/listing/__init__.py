"""The news listing and everything that shares its filters (feeds, CSV, API): the filters that
parse every GET parameter (filters.py) and their fields, which read an old link's values
(fields.py), the notice of what was changed in them (notices.py), the facet counts beside each
option (facets.py), the active filters in plain words (summary.py) and the capped paginator and
numbered pages (pagination.py)."""
