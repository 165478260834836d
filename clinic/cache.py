"""The shared cache backend: Django's Redis cache, with one client object per connection pool.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache call, and building
one fills a table of about 170 response callbacks: about a millisecond of CPU per call on this
machine, more than the rest of a page-cache hit (clinic/pagecache.py does two calls per hit). A
`redis.Redis` over a connection pool is safe to share between threads, so one per pool is kept and
reused. Everything else is Django's backend unchanged.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedRedisCacheClient(RedisCacheClient):
    """`RedisCacheClient` that builds its `redis.Redis` once per connection pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class SharedRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache` with `ReusedRedisCacheClient`."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient
