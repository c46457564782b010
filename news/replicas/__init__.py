"""Read replicas: PostgreSQL streaming standbys of the primary (`default`) that public reads go
to, so that reading scales out while every write goes to one database (settings:
DATABASE_REPLICA_URLS, DATABASE_REPLICA_MAX_LAG; README, "Read replicas").

- routing.py: which database a request reads (`read_alias()`), and the router that sends the
  ORM's reads there and every write to the primary.
- health.py: which replicas answer and are close enough behind the primary, checked at most
  once a second per process; the back-off of a replica that is down; whether a replica has
  replayed a given point of the primary's log (the page cache, news/pagecache.py).
- middleware.py: whether a request may read a replica; a GET answered again on the primary when
  its replica fails; the cookie that sends a client's requests after a write to the primary.
"""
