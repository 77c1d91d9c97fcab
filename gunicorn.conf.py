"""gunicorn's configuration, read by default from the working directory
(``uv run gunicorn hotline.wsgi``). Flags on the command line (``--bind``, ``--workers``)
add to it; the privacy of the logs does not rest on any flag.

Access log: no line holds more than the call record may. A desk search carries what a
caller said in its query string, the capacity form its personal key, and the Referer
repeats the previous page's, so neither is ever written; nor is the client address, which
is the operator's workstation. The call panel's requests (``/desk/calls/``) are not logged
at all: even a line with only the hour would sit, in the file, between lines with seconds.
Why, and what the TLS proxy must do too: docs/operations.md, "Logs".
"""

import logging
import re
import time

from gunicorn import glogging

from hotline.log_privacy import safe_path

# Logged: the time, method, path without query string, status, size and duration.
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)s'

# Every request of the call panel: when one is made is finer than the call record's hour.
UNLOGGED_PATHS = ("/desk/calls/",)
_QUERY = re.compile(r"\?\S*")


class _RedactErrors(logging.Filter):
    """gunicorn's own errors name the request's URI and the client's address."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = _QUERY.sub("", record.getMessage())
        if message.startswith("Invalid request from ip="):
            # "…ip=::1: Invalid HTTP Version: 'voldtekt HTTP/1.1'": the kind of error only,
            # as what follows quotes the request line.
            error = message.split(": ", 2)[1]
            message = f"Invalid request: {error}"
        record.msg, record.args = message, ()
        return True


class PrivateLogger(glogging.Logger):
    """Whatever format the command line asks for, the atoms that could tie a line to a
    caller or an operator are empty ("-")."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        self.error_log.addFilter(_RedactErrors())

    def access(self, resp, req, environ, request_time) -> None:
        if environ.get("PATH_INFO", "").startswith(UNLOGGED_PATHS):
            return
        super().access(resp, req, environ, request_time)

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        path = safe_path(atoms["U"] or "")
        # Headers ({name}i, {name}o) and the environment ({name}e) hold addresses,
        # cookies, the Referer and the query string.
        safe = {key: value for key, value in atoms.items() if not key.startswith("{")}
        return safe | {
            "h": "-",
            "u": "-",
            "q": "-",
            "f": "-",
            "a": "-",
            "U": path,
            "r": f"{atoms['m']} {path} {atoms['H']}",
        }


logger_class = PrivateLogger


def post_worker_init(worker) -> None:
    """Build the worker's search index before it takes its first request, so the first
    search after a start or deploy does not wait for it. Runs in each worker after the
    app is loaded (``preload_app`` off). A database that is down or not migrated yet
    must not stop the worker: the first search then builds the index, as it would anyway.
    The build counts against ``timeout`` (30 s by default; a few seconds at 20,000
    services, docs/performance.md): for a much bigger directory, raise ``--timeout``.
    """
    from django.db import DatabaseError, connections

    from services_directory.search_index import current_index

    started = time.monotonic()
    try:
        index = current_index()
    except DatabaseError as error:
        worker.log.warning(
            "Search index not built at start (%s); the first search builds it", error
        )
    else:
        worker.log.info(
            "Search index built: %d services in %.1f s",
            len(index.entries),
            time.monotonic() - started,
        )
    finally:
        connections.close_all()
