"""Global concurrency limits ("slots") for the work anonymous clients can start: the
public API and password checks.

Each kind of work has a fixed number of slots. A request takes a free one for as long
as it runs, or gets none and is answered at once (503 with Retry-After) instead of
waiting for a worker the staff need. The slots are keys in Django's cache: with
``CACHE_URL`` (Redis) one set is shared by every process and host, otherwise each
process has its own. A slot is taken with ``cache.add`` (Redis SET NX, atomic), given
back in a ``finally`` (also when the work raises), and carries a lease: one held by a
process that died frees itself after ``LEASE_SECONDS``.
"""

import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache

# Longer than any request may run (gunicorn's timeout is 30 s unless raised).
LEASE_SECONDS = 60
# What a refused client is told to wait: a slot frees within a request's time.
RETRY_AFTER_SECONDS = 2


class SlotsFull(Exception):
    """No slot was free for this kind of work."""

    retry_after = RETRY_AFTER_SECONDS


@contextmanager
def slot(scope: str, slots: int) -> Iterator[bool]:
    """Hold one of ``slots`` slots of ``scope`` for the ``with`` block; yields whether one
    was free (when not, nothing is held and the caller should refuse the work)."""
    token = secrets.token_hex(8)
    numbers = list(range(slots))
    # A random first try spreads the takers, so a full set costs few round trips.
    random.shuffle(numbers)
    taken = next(
        (
            key
            for key in (f"slots:{scope}:{number}" for number in numbers)
            if cache.add(key, token, timeout=LEASE_SECONDS)
        ),
        None,
    )
    if taken is None:
        yield False
        return
    try:
        yield True
    finally:
        # Only our own lease: one that ran out may have been taken by another request.
        if cache.get(taken) == token:
            cache.delete(taken)


def held(scope: str, slots: int) -> int:
    """How many of ``scope``'s slots are taken now (for tests and operations)."""
    return sum(cache.get(f"slots:{scope}:{number}") is not None for number in range(slots))
