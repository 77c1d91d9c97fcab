"""Run each scheduled job at most once at a time, on PostgreSQL and SQLite alike.

A job takes its lock by inserting a ``JobLock`` row with its unique name; a second copy's
insert fails on the unique constraint, and it stops without doing anything. The insert
is committed at once, so the lock is visible to every other process and no transaction
stays open during a job's minutes of network calls (which is why this is not
``select_for_update(nowait=True)``: that holds a transaction open for the whole run).

A job that dies leaves its row behind; the row's ``expires_at`` lets the next run take
the lock over. Long jobs call ``refresh()`` as they go, so they never outlive it.
"""

import os
import socket
import uuid
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from services_directory.models import JobLock


class JobAlreadyRunning(Exception):
    def __init__(self, name: str, current: JobLock | None):
        self.name = name
        self.current = current
        if current is None:  # released between our insert and our look
            since = "just now"
        else:
            since = f"since {timezone.localtime(current.acquired_at):%Y-%m-%d %H:%M}"
            since += f", {current.holder}"
        super().__init__(f"{name} is already running ({since}); nothing done.")


class HeldLock:
    def __init__(self, name: str, holder: str, ttl: timedelta):
        self.name, self.holder, self.ttl = name, holder, ttl

    def refresh(self) -> bool:
        """Push the expiry forward; False if the lock was lost (expired and taken)."""
        updated = JobLock.objects.filter(name=self.name, holder=self.holder).update(
            expires_at=timezone.now() + self.ttl
        )
        return updated == 1

    def release(self) -> None:
        JobLock.objects.filter(name=self.name, holder=self.holder).delete()

    def __enter__(self) -> "HeldLock":
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()


def acquire(name: str, ttl: timedelta) -> HeldLock:
    """Take the lock called ``name`` for ``ttl``, or raise JobAlreadyRunning."""
    now = timezone.now()
    holder = f"{socket.gethostname()[:50]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    # Only an expired row is deleted: a live holder's row survives this, even in a race.
    JobLock.objects.filter(name=name, expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            JobLock.objects.create(name=name, holder=holder, acquired_at=now, expires_at=now + ttl)
    except IntegrityError:
        raise JobAlreadyRunning(name, JobLock.objects.filter(name=name).first()) from None
    return HeldLock(name, holder, ttl)
