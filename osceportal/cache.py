"""A Redis cache that degrades to "no cache" instead of failing the request.

When Redis is down or slow, reads miss and writes are dropped (with a warning in the log), so the
site keeps serving pages straight from the database. Timeouts are short (settings.CACHES), so a
dead Redis costs a request a fraction of a second at most."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class ResilientRedisCache(RedisCache):
    def _safely(self, call, fallback):
        try:
            return call()
        except (RedisError, OSError) as error:
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
