"""Reading prefetched relations without Django's related managers.

`instance.<relation>.all()` makes a related manager and a filtered queryset each time (the
manager's filter is compiled into a new query), only to give back the list a prefetch left in
the instance's cache. A listing page reads three or four relations of each of its twenty rows,
and the former names of each row's issuers: that machinery took about a sixth of the page's
time. `records` reads the list itself; `keep` leaves a list for it, and for Django, which makes
the manager's queryset only when something asks a manager for it."""

from django.db.models.query import QuerySet

CACHE = "_prefetched_objects_cache"


class Unmade:
    """A prefetched relation kept as its list: `records`, in the order the relation gives."""

    __slots__ = ("records",)

    def __init__(self, records):
        self.records = records


class PrefetchCache(dict):
    """An instance's prefetch cache in which a relation may be kept `Unmade`: asked for by a
    related manager (or anyone reading it as a dict), it becomes what Django's prefetch leaves,
    the relation's queryset holding the list."""

    def __init__(self, instance, *args):
        super().__init__(*args)
        self.instance = instance

    def __getitem__(self, name):
        value = super().__getitem__(name)
        if isinstance(value, Unmade):
            value = self.make(name, value.records)
        return value

    def get(self, name, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def make(self, name, records):
        # The manager finds nothing in the cache while it makes its queryset, as before any
        # prefetch: the queryset filtered by the relation, should anyone filter it further.
        super().pop(name)
        queryset = getattr(self.instance, name).all()
        queryset._result_cache = records
        queryset._prefetch_done = True
        self[name] = queryset
        return queryset

    def __reduce__(self):
        # Pickled (a copy of the instance) as a plain dict, every relation made.
        return dict, ({name: self[name] for name in list(self)},)


def keep(instance, relation, records):
    """As Django's prefetching leaves `relation` (the name of a many-to-many field, a reverse
    foreign key or a taggit manager, which is also its cache's name): `instance.<relation>.all()`
    gives `records`."""
    cache = instance.__dict__.get(CACHE)
    if not isinstance(cache, PrefetchCache):
        cache = instance.__dict__[CACHE] = PrefetchCache(instance, cache or {})
    cache[relation] = Unmade(records)


def records(instance, relation):
    """`list(instance.<relation>.all())`, from the prefetch cache when it holds the relation:
    the list itself, to be read, not changed."""
    cached = dict.get(instance.__dict__.get(CACHE) or {}, relation)
    if isinstance(cached, Unmade):
        return cached.records
    if isinstance(cached, QuerySet) and cached._result_cache is not None:
        return cached._result_cache
    return list(getattr(instance, relation).all())
