"""Shared set-up for the benchmark scripts: Django on the benchmark database only.

Both scripts refuse to touch anything but a PostgreSQL database whose name contains
"bench", so a mistyped DATABASE_URL cannot fill (or wipe) real data.
"""

import os
import secrets
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "out"


def production_env() -> dict[str, str]:
    """The environment of a production-like gunicorn run: DEBUG off, a throw-away key,
    behind a TLS-terminating proxy (the SSL redirect stays on and requests say HTTPS)."""
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "BEHIND_TLS_PROXY": "true",
        "LOG_LEVEL": "WARNING",
    }


def setup_django(extra_env: dict[str, str] | None = None) -> None:
    """Configure Django for ``DATABASE_URL``; exit unless it is a PostgreSQL *bench* DB."""
    if not os.environ.get("DATABASE_URL"):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database whose name contains 'bench', e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench"
        )
    os.environ.update(extra_env or {})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    sys.path.insert(0, str(REPO))
    import django
    from django.conf import settings

    django.setup()
    database = settings.DATABASES["default"]
    name = str(database.get("NAME", ""))
    if database["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(f"Refusing to run on {database['ENGINE']}: the benchmark needs PostgreSQL.")
    if "bench" not in name:
        sys.exit(
            f"Refusing to run on the database {name!r}: its name must contain 'bench' "
            "(this protects real data)."
        )


def database_label() -> str:
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"{database.get('HOST') or 'local'}:{database.get('PORT') or 5432}/{database['NAME']}"


def pass_second_factor(session, user) -> None:
    """Mark ``session`` as signed in with the second factor, as every staff session is:
    without it every staff page redirects to the second-factor step. The caller saves."""
    import time

    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from hotline.accounts.middleware import LAST_SEEN_AT, SIGNED_IN_AT

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SIGNED_IN_AT] = session[LAST_SEEN_AT] = int(time.time())
