"""Fixed-window request counters shared by every app server: in Redis
when REDIS_URL is set (Django's cache increments there atomically), else in
the database (one row per key and minute, incremented in SQL)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import F

from .models import RateCounter

WINDOW_SECONDS = 60


def _count_in_redis(key: str, window: int) -> int:
    cache = caches["ratelimit"]
    name = f"rate:{key}:{window}"
    cache.add(name, 0, timeout=WINDOW_SECONDS * 2)
    return cache.incr(name)


def _count_in_database(key: str, window: int) -> int:
    counters = RateCounter.objects.filter(key=key, window=window)
    with transaction.atomic():
        if not counters.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window=window, count=1)
                # A new minute: the rows of past minutes are of no more use.
                RateCounter.objects.filter(window__lt=window - 1).delete()
                return 1
            except IntegrityError:
                # Another server created it a moment ago.
                counters.update(count=F("count") + 1)
        return counters.values_list("count", flat=True).first() or 0


def hit(key: str, limit: int) -> bool:
    """Count one request under ``key``; False once more than ``limit``
    requests came in this minute."""
    window = int(time.time()) // WINDOW_SECONDS
    key = key[:150]
    count_in = _count_in_redis if settings.REDIS_URL else _count_in_database
    return count_in(key, window) <= limit


def retry_after() -> int:
    """Seconds until the current window ends."""
    return WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS
