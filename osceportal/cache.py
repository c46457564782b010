"""A Redis cache that degrades to "no cache" instead of failing the request.

When Redis is down or slow, reads miss and writes are dropped (with a warning in the log), so the
site keeps serving pages straight from the database. Timeouts are short (settings.CACHES), so a
dead Redis costs a request a fraction of a second at most.

Callers that must know whether an operation of theirs reached Redis (the page cache's
invalidation, news/pagecache.py) read `failures`, the number of errors swallowed so far in this
process, before and after it.

It also keeps one Redis client per connection pool. Django's client makes a new `redis.Redis`
for every cache operation, and each one builds its table of response callbacks, a large part of
what serving a page from the cache costs (bench/README.md). A client over a pool is safe to
share between threads."""

import logging
import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class ReusedClients(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    # Counted for the whole process, not per instance: Django gives each thread a cache object of
    # its own, and Redis failing for one thread is Redis failing for all of them.
    failures = 0
    _failures_lock = threading.Lock()

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClients

    def _safely(self, call, fallback):
        try:
            return call()
        except (RedisError, OSError) as error:
            with ResilientRedisCache._failures_lock:
                ResilientRedisCache.failures += 1
            logger.warning("cache unavailable, serving without it: %s", error)
            return fallback

    def get(self, key, default=None, version=None):
        parent = super()
        return self._safely(lambda: parent.get(key, default, version), default)

    def get_many(self, keys, version=None):
        parent = super()
        return self._safely(lambda: parent.get_many(keys, version), {})

    def set(self, key, value, timeout=None, version=None):
        parent = super()
        return self._safely(lambda: parent.set(key, value, timeout, version), None)

    def add(self, key, value, timeout=None, version=None):
        parent = super()
        return self._safely(lambda: parent.add(key, value, timeout, version), False)

    def delete(self, key, version=None):
        parent = super()
        return self._safely(lambda: parent.delete(key, version), False)

    def delete_many(self, keys, version=None):
        parent = super()
        return self._safely(lambda: parent.delete_many(keys, version), None)

    def incr(self, key, delta=1, version=None):
        parent = super()
        return self._safely(lambda: parent.incr(key, delta, version), None)

    def clear(self):
        parent = super()
        return self._safely(parent.clear, False)
