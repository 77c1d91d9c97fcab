"""Real server processes for the several-hosts tests: a database of their own (file-based
SQLite, or a new PostgreSQL database beside the test database), Redis on a DB number and
key prefix of the test's own, and gunicorn processes on free local ports."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# Only this Redis DB is ever written, and only under the test's own key prefix.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(TEST_REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def forget_keys(prefix: str) -> None:
    """Delete the keys under ``prefix`` only: other runs may share this Redis DB."""
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}:*", count=500):
        client.delete(key)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(**extra: str) -> dict[str, str]:
    skip = {"DATABASE_URL", "CACHE_URL", "CACHE_BACKEND", "CACHE_LOCATION", "DEBUG"}
    env = {k: v for k, v in os.environ.items() if k not in skip and not k.startswith("PYTEST")}
    return {**env, "DJANGO_SETTINGS_MODULE": "hotline.settings", **extra}


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@contextmanager
def own_database(tmp_path: Path):
    """A DATABASE_URL for the servers: beside the suite's PostgreSQL if it runs on one,
    else a SQLite file (the suite's own SQLite database lives in memory)."""
    suite = os.environ.get("DATABASE_URL")
    if not suite or not suite.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'servers.sqlite3'}"
        return
    import psycopg

    parts = urlsplit(suite)
    name = f"{parts.path.strip('/')[:40]}_servers_{uuid.uuid4().hex[:8]}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# One small worker, and time for a slow CI machine to build its index.
SMALL = ("--workers", "1", "--timeout", "120")


class Server:
    """gunicorn on a free port, with the repository's gunicorn.conf.py (read from the
    working directory) and ``flags``; its error and access logs go to one file."""

    def __init__(self, env: dict[str, str], flags: tuple[str, ...] = SMALL):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # A file, not a pipe: a pipe nobody reads could block the server. Opened for
        # appending, so both streams keep their order and reading it moves nothing.
        handle, self.log_path = tempfile.mkstemp(suffix=".log")
        os.close(handle)
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop())
        self.stopped_output = ""
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "hotline.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                *flags,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )

    def output(self) -> str:
        """Everything written so far; after ``stop()``, everything it wrote."""
        if self.log.closed:
            return self.stopped_output
        return Path(self.log_path).read_text()

    def wait(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited: {self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"gunicorn on {self.url} did not answer within {seconds} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.stopped_output = self.output()
        self.log.close()
        os.unlink(self.log_path)


@contextmanager
def servers(count: int, env: dict[str, str]):
    started = [Server(env) for _ in range(count)]
    try:
        for server in started:
            server.wait()
        yield started
    finally:
        for server in started:
            server.stop()


def get(url: str, opener=None) -> tuple[int, str]:
    opener = opener or urllib.request.build_opener()
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()
