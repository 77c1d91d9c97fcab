"""What a log line may say of a request: its path, without the query string and with
every numeric id hidden. Used by Django's LOGGING and by gunicorn.conf.py.

A query string carries a desk search (what a caller said) or a capacity form's key; an
id in a path can be what a call is about (a guidance article, a referred service).
Nothing here imports Django: gunicorn's master process reads it before the app loads.
"""

import logging
import re

_ID_SEGMENT = re.compile(r"/\d+(?=/|\.|$)")


def safe_path(path: str) -> str:
    """``/desk/guide/12/?q=x`` → ``/desk/guide/<id>/``."""
    return _ID_SEGMENT.sub("/<id>", path.split("?", 1)[0])


class RequestPathFilter(logging.Filter):
    """Rewrites Django's request log lines ("Not Found: /path", "Forbidden (CSRF …):
    /path", "Bad Request: /path", tracebacks' headline) to name only ``safe_path``."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if isinstance(path, str) and path:
            message = record.getMessage()
            for raw in (request.get_full_path(), path):  # type: ignore[union-attr]
                message = message.replace(raw, safe_path(path))
            record.msg, record.args = message, ()
        return True
