"""Daphne (ASGI) processes for the chat's browser and two-process tests: the chat needs
WebSockets, which Django's live server (WSGI) cannot serve."""

import subprocess
import sys

from tests import servers


class AsgiServer(servers.Server):
    """As servers.Server (a free port, one log file, /healthz to wait on), but daphne."""

    def __init__(self, env: dict[str, str]):  # starts its own process, not gunicorn
        import os
        import tempfile

        self.port = servers.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        handle, self.log_path = tempfile.mkstemp(suffix=".log")
        os.close(handle)
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop())
        self.stopped_output = ""
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "daphne",
                # As in production (docs/chat.md): no access log with addresses.
                "--verbosity",
                "0",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "hotline.asgi:application",
            ],
            cwd=servers.ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )


OPERATOR_PASSWORD = "chat-test-password-1"


def make_chat_operator(env: dict[str, str], username: str) -> None:
    """An operator with a site, in the servers' own database."""
    servers.manage(
        env,
        "shell",
        "--no-imports",
        "--command",
        "from django.contrib.auth.models import Group, User\n"
        "from hotline.calls.models import Site\n"
        f"u = User.objects.create_user({username!r}, password={OPERATOR_PASSWORD!r})\n"
        "u.groups.add(Group.objects.get(name='operator'))\n"
        f"s, _ = Site.objects.get_or_create(name='Chatsenter')\n"
        "s.members.add(u)\n",
    )


def session_cookie(server, username: str) -> str:
    """Sign ``username`` in on ``server`` (two factors off) and return the Cookie header."""
    import http.cookiejar
    import re
    import urllib.request
    from urllib.parse import urlencode

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    _status, page = servers.get(f"{server.url}/accounts/login/", opener)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, page
    form = {"username": username, "password": OPERATOR_PASSWORD, "csrfmiddlewaretoken": token[1]}
    request = urllib.request.Request(  # noqa: S310 (a local server)
        f"{server.url}/accounts/login/",
        data=urlencode(form).encode(),
        headers={"Referer": f"{server.url}/accounts/login/"},
    )
    with opener.open(request, timeout=30):
        pass
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)
