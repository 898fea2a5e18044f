"""Fixed-window request counters shared by every app server: in Redis
when REDIS_URL is set (Django's cache increments there atomically), else in
the database (one row per key and minute, incremented in SQL)."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from redis.exceptions import RedisError

from .models import RateCounter

WINDOW_SECONDS = 60

logger = logging.getLogger(__name__)


def _count_in_redis(key: str, window: int) -> int:
    cache = caches["ratelimit"]
    name = f"rate:{key}:{window}"
    if cache.add(name, 1, timeout=WINDOW_SECONDS * 2):
        return 1
    try:
        return cache.incr(name)
    except ValueError:
        # Gone between the two calls (evicted, or the database flushed):
        # Django's incr raises for a missing key. Start the count again.
        cache.add(name, 1, timeout=WINDOW_SECONDS * 2)
        return 1


def _count_in_database(key: str, window: int) -> int:
    """One statement, whatever the number of app servers: insert the
    minute's row or add one to it, and read the count back (an upsert with
    RETURNING, which SQLite 3.35+ and PostgreSQL both run)."""
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    key_column, window_column, count_column = (
        connection.ops.quote_name(RateCounter._meta.get_field(name).column)
        for name in ("key", "window", "count")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {window_column}, {count_column}) "
            f"VALUES (%s, %s, 1) ON CONFLICT ({key_column}, {window_column}) "
            f"DO UPDATE SET {count_column} = {table}.{count_column} + 1 "
            f"RETURNING {count_column}",
            [key, window],
        )
        (count,) = cursor.fetchone()
    if count == 1:
        # A new minute: the rows of past minutes are of no more use.
        RateCounter.objects.filter(window__lt=window - 1).delete()
    return count


def hit(key: str, limit: int) -> bool:
    """Count one request under ``key``; False once more than ``limit``
    requests came in this minute."""
    window = int(time.time()) // WINDOW_SECONDS
    # A key holds a client id as sent: PostgreSQL refuses NUL in text.
    key = key.replace("\x00", "\\0")[:150]
    if settings.REDIS_URL:
        try:
            return _count_in_redis(key, window) <= limit
        except RedisError:
            # Redis is unreachable: the database keeps counting rather than
            # every request failing (or none being limited).
            logger.warning("Rate limits counted in the database: Redis did not answer.")
    return _count_in_database(key, window) <= limit


def retry_after() -> int:
    """Seconds until the current window ends."""
    return WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS
