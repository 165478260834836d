"""The shared cache backend reuses one Redis client per connection pool (clinic/cache.py)."""

from clinic.cache import SharedRedisCache


def test_the_redis_client_is_built_once_per_pool_not_once_per_call():
    cache = SharedRedisCache("redis://127.0.0.1:6379/15", {})
    client = cache._cache.get_client("a", write=True)
    assert cache._cache.get_client("b") is client  # one server: reads and writes share its pool
    assert client.connection_pool is cache._cache._get_connection_pool(True)
