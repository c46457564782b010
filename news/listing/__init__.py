"""The news listing and everything that shares its filters (feeds, CSV, API): the filters that
parse every GET parameter (filters.py), the facet counts beside each option (facets.py), the
active filters in plain words (summary.py) and the capped paginator (pagination.py)."""
