"""Django's Redis cache, with two savings on the path of every request.

- Django's client builds a new `redis.Redis` object for every call (its response-callback table included: about a
  fifth of a millisecond); this one keeps one per connection pool (they are thread-safe, and share the pool).
- `incr_or_create`: one INCR, which creates a missing key at 1, where `cache.incr` asks EXISTS first and refuses a
  missing key (the data's version moves on this way after every request that may have written: kernel/versions.py).
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def incr_or_create(self, key, version=None) -> int:
        key = self.make_and_validate_key(key, version=version)
        return self._cache.get_client(key, write=True).incr(key)
