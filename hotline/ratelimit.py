"""Fixed-window request limits kept in Django's cache.

Counters live only in the cache and expire with their window, so no address is ever
written to the database or a log. With several server processes the cache must be
shared (``CACHE_URL=redis://...``, see settings) or each process counts on its own.
"""

import time
from hashlib import sha256

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The caller's address; behind our own proxy, the address the proxy saw."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _counter(scope: str, key: str, window_seconds: int) -> tuple[str, int]:
    """The cache key counting ``key`` in ``scope`` this window, and the seconds left."""
    now = int(time.time())
    # Hashed, so cache dumps hold no addresses or tokens.
    digest = sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    return f"ratelimit:{digest}:{now // window_seconds}", window_seconds - now % window_seconds


def hit(scope: str, key: str, limit: int, window_seconds: int) -> int | None:
    """Count one request for ``key`` in ``scope``. Returns None while under ``limit``, else
    the seconds until the window resets (for a Retry-After header)."""
    cache_key, left = _counter(scope, key, window_seconds)
    cache.add(cache_key, 0, timeout=window_seconds + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds + 1)
        count = 1
    return left if count > limit else None


def spent(scope: str, key: str, limit: int, window_seconds: int) -> int | None:
    """As ``hit``, without counting: whether ``limit`` was already passed this window (the
    seconds until it resets), else None. For limits counted only after the fact, such as
    failed sign-ins, checked before the work they guard."""
    cache_key, left = _counter(scope, key, window_seconds)
    return left if (cache.get(cache_key) or 0) >= limit else None
