"""The deploy check that the chat's Redis keeps nothing on disk: each case against a real
redis-server started here, configured as a deployer might have left it."""

import os
import shutil
import subprocess
import time
from contextlib import contextmanager

import pytest
import redis
from django.core.checks import Tags, run_checks

from tests.servers import free_port

REDIS_SERVER = shutil.which("redis-server")


@contextmanager
def redis_server(tmp_path, *options: str):
    if REDIS_SERVER is None:
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail("redis-server is missing")
        pytest.skip("redis-server is missing")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - a fixed command line
        [
            REDIS_SERVER,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(tmp_path),
            *options,
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        for _ in range(100):
            try:
                redis.Redis.from_url(url, socket_timeout=1).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def chat_warnings(settings, url: str) -> list[str]:
    settings.CHAT_REDIS_URL = url
    return [
        message.id
        for message in run_checks(include_deployment_checks=True, tags=[Tags.security])
        if message.id.startswith("chat.") and not message.is_silenced()
    ]


def test_a_redis_without_persistence_passes(settings, tmp_path):
    with redis_server(tmp_path, "--save", "", "--appendonly", "no") as url:
        assert chat_warnings(settings, url) == []


@pytest.mark.parametrize(
    "options",
    [("--save", "3600 1", "--appendonly", "no"), ("--save", "", "--appendonly", "yes")],
    ids=["snapshots", "append-only file"],
)
def test_a_redis_that_writes_to_disk_is_warned_of(settings, tmp_path, options):
    with redis_server(tmp_path, *options) as url:
        assert chat_warnings(settings, url) == ["chat.W001"]


def test_a_redis_that_refuses_config_asks_for_a_confirmation(settings, tmp_path):
    with redis_server(tmp_path, "--save", "", "--rename-command", "CONFIG", "") as url:
        assert chat_warnings(settings, url) == ["chat.W002"]
        settings.SILENCED_SYSTEM_CHECKS = ["chat.W002"]
        assert chat_warnings(settings, url) == []


def test_an_unreachable_redis_is_warned_of(settings):
    assert chat_warnings(settings, f"redis://127.0.0.1:{free_port()}/0") == ["chat.W003"]


def test_no_redis_no_check(settings):
    assert chat_warnings(settings, "") == []
