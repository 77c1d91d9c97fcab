"""Chat load: many chats open at once through a real daphne process, both sides as
WebSocket clients. Measures message delivery latency (sent by one client, received by the
other, one clock), checks that no message is lost or reordered, and the server's memory
per open chat (resident set growth while the chats are open, divided by their number).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench \\
        uv run python benchmarks/chat_load.py --chats 200

Without --redis the server uses its in-memory channel layer and store (one process);
with --redis redis://127.0.0.1:6379/13 the layer and queue go through Redis, as in
production. Results go to benchmarks/out/chat_load.json. Figures: docs/performance.md.
"""

import argparse
import asyncio
import json
import math
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from _django import OUT, REPO, database_label, pass_second_factor, setup_django


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--messages", type=int, default=20, help="per chat and direction")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between messages")
    parser.add_argument("--redis", default="", help="CHAT_REDIS_URL for the server")
    return parser.parse_args()


def prepare(operators: int) -> list[str]:
    """Operators with a site and signed-in sessions (both factors passed)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.db import SessionStore

    from hotline.calls.models import Site

    group = Group.objects.get(name="operator")
    site, _ = Site.objects.get_or_create(name="Bench chat")
    sessions = []
    for n in range(1, operators + 1):
        user, _ = User.objects.get_or_create(username=f"bench-chat-{n:03d}")
        user.set_unusable_password()
        user.save()
        user.groups.set([group])
        site.members.add(user)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        pass_second_factor(session, user)
        session.create()
        sessions.append(session.session_key)
    return sessions


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def start_server(port: int, redis: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "SECURE_SSL_REDIRECT": "false",
        # One address opens every chat here; the limits are for the real world.
        "CHAT_CHATS_PER_ADDRESS": "100000",
        "CHAT_STARTS_PER_HOUR": "100000",
        "CHAT_MESSAGES_PER_MINUTE": "100000",
        "CHAT_KEY_PREFIX": f"bench-chat-{uuid.uuid4().hex[:8]}",
    }
    if redis:
        env["CHAT_REDIS_URL"] = redis
    process = subprocess.Popen(  # noqa: S603 - a fixed command line
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "-v",
            "0",
            "hotline.asgi:application",
        ],
        cwd=REPO,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"daphne did not start: see {log}")


async def next_of(socket, kind: str, timeout: float = 60, **match) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout))
        if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
            return frame


async def warm_up(base: str, origin: dict, desk) -> None:
    import websockets

    async with websockets.connect(f"{base}/ws/chat/", additional_headers=origin) as writer:
        await writer.send(json.dumps({"type": "start", "language": "nb", "safe": "yes"}))
        await next_of(writer, "queued")
        await desk.send(json.dumps({"type": "accept"}))
        chat = (await next_of(desk, "chat"))["chat"]
        await next_of(writer, "accepted")
        await writer.send(json.dumps({"type": "message", "text": "warm-up"}))
        await next_of(desk, "message")
        await desk.send(json.dumps({"type": "end", "chat": chat}))
        await next_of(writer, "ended")


async def run(args, port: int, sessions: list[str], server_pid: int) -> dict:
    import websockets

    base = f"ws://127.0.0.1:{port}"
    origin = {"Origin": f"http://127.0.0.1:{port}"}
    latencies: list[float] = []
    problems: list[str] = []

    operators = []
    for key in sessions:
        desk = await websockets.connect(
            f"{base}/ws/chat/desk/",
            additional_headers={**origin, "Cookie": f"sessionid={key}"},
            max_queue=None,
        )
        await next_of(desk, "available")
        await desk.send(json.dumps({"type": "available", "on": True}))
        await next_of(desk, "available")
        operators.append(desk)
    # One whole chat first, so that what the first chat loads once (modules, the worker
    # threads' database connections) is not counted as the cost of every chat.
    await warm_up(base, origin, operators[0])
    baseline_kb = rss_kb(server_pid)

    writers = []
    for _ in range(args.chats):
        writer = await websockets.connect(
            f"{base}/ws/chat/", additional_headers=origin, max_queue=None
        )
        await writer.send(json.dumps({"type": "start", "language": "nb", "safe": "yes"}))
        await next_of(writer, "queued")
        writers.append(writer)

    # Each operator takes two chats (CHAT_MAX_CONCURRENT's default).
    pairs = []  # (writer socket, operator socket, chat id)
    waiting = list(writers)
    for desk in operators:
        for _ in range(2):
            if not waiting:
                break
            await desk.send(json.dumps({"type": "accept"}))
            chat = await next_of(desk, "chat")
            pairs.append((chat["chat"], desk))
            waiting.pop(0)
    # Which writer got which chat: each writer learns it is accepted; match by a hello.
    by_chat: dict[str, object] = {}
    for writer in writers:
        await next_of(writer, "accepted")
        hello = uuid.uuid4().hex
        await writer.send(json.dumps({"type": "message", "text": f"hello {hello}"}))
        by_chat[hello] = writer
    chats = []
    for chat_id, desk in pairs:
        chats.append({"chat": chat_id, "desk": desk})
    # The desk sockets receive the hellos; route them to their chats.
    hellos_left = len(writers)
    desk_of_chat = {c["chat"]: c["desk"] for c in chats}
    writer_of_chat: dict[str, object] = {}
    for desk in operators:
        for _ in range(sum(1 for c in chats if c["desk"] is desk)):
            frame = await next_of(desk, "message")
            writer_of_chat[frame["chat"]] = by_chat[frame["text"].split()[1]]
            hellos_left -= 1
    if hellos_left:
        raise SystemExit(f"{hellos_left} chats never said hello")
    open_kb = rss_kb(server_pid)

    # Every open chat: messages both ways, timed from send to receipt.
    sent_at: dict[str, float] = {}
    received: dict[tuple[str, str], list[int]] = {}
    slow: dict[str, int] = {}  # over 1 s, by direction and round: where the tail is

    async def send_side(chat_id: str, sock, direction: str):
        for n in range(args.messages):
            text = f"{direction}:{chat_id}:{n}"
            sent_at[text] = time.perf_counter()
            frame = {"type": "message", "text": text}
            if direction == "o":
                frame["chat"] = chat_id
            await sock.send(json.dumps(frame))
            await asyncio.sleep(args.interval)

    async def receive_side(sock, expected: int):
        for _ in range(expected):
            frame = await next_of(sock, "message")
            now = time.perf_counter()
            direction, chat_id, n = frame["text"].split(":")
            latency = (now - sent_at.pop(frame["text"])) * 1000
            latencies.append(latency)
            if latency > 1000:
                slow[f"{direction}{n}"] = slow.get(f"{direction}{n}", 0) + 1
            received.setdefault((direction, chat_id), []).append(int(n))

    # Every receiver listens before the first message is sent: a receiver started late
    # would count its own lateness as the chat's.
    tasks = [
        asyncio.create_task(receive_side(writer, args.messages))
        for writer in writer_of_chat.values()
    ]
    for desk in operators:
        held = sum(1 for c in chats if c["desk"] is desk)
        tasks.append(asyncio.create_task(receive_side(desk, held * args.messages)))
    for chat_id, desk in desk_of_chat.items():
        writer = writer_of_chat[chat_id]
        await asyncio.sleep(args.interval / max(1, len(desk_of_chat)))  # spread the sends
        tasks.append(asyncio.create_task(send_side(chat_id, writer, "w")))
        tasks.append(asyncio.create_task(send_side(chat_id, desk, "o")))
    peak_kb = open_kb
    pending = set(tasks)
    while pending:
        done, pending = await asyncio.wait(pending, timeout=1)
        peak_kb = max(peak_kb, rss_kb(server_pid))
        for task in done:
            if task.exception():
                problems.append(repr(task.exception()))
    for (direction, chat_id), numbers in received.items():
        if numbers != list(range(args.messages)):
            problems.append(f"{direction} {chat_id}: {numbers}")
    lost = len(sent_at)

    for writer in writers:
        await writer.close()
    for desk in operators:
        await desk.close()

    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, math.ceil(p / 100 * len(latencies)) - 1)]

    return {
        "chats": len(desk_of_chat),
        "messages": len(latencies),
        "lost": lost,
        "reordered_or_failed": problems[:10],
        "p50_ms": round(percentile(50), 1),
        "p95_ms": round(percentile(95), 1),
        "p99_ms": round(percentile(99), 1),
        "max_ms": round(latencies[-1], 1),
        "over_1s_by_round": slow,
        "rss_operators_only_kb": baseline_kb,
        "rss_chats_open_kb": open_kb,
        "rss_peak_kb": peak_kb,
        "kb_per_open_chat": round((open_kb - baseline_kb) / max(1, len(desk_of_chat)), 1),
        "kb_per_open_chat_at_peak": round((peak_kb - baseline_kb) / max(1, len(desk_of_chat)), 1),
    }


def main() -> None:
    args = parse_args()
    # One key for this process (which signs the sessions) and the server (which reads them).
    setup_django({"SECRET_KEY": secrets.token_urlsafe(40)})
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    sessions = prepare(math.ceil(args.chats / 2))
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = start_server(port, args.redis, OUT / "chat_load_server.log")
    try:
        result = asyncio.run(run(args, port, sessions, server.pid))
    finally:
        server.terminate()
        server.wait(timeout=20)
    result.update(
        {
            "database": database_label(),
            "layer": "redis" if args.redis else "in-memory",
            "interval_s": args.interval,
            "messages_per_direction": args.messages,
            "cpus": os.cpu_count(),
        }
    )
    (OUT / "chat_load.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
