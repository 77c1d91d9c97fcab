"""The desk's CPU cost in process: robust to a loaded machine, unlike wall-clock times.

Runs interleaved rounds of the floor (``/about/``), the desk page and the desk's htmx
partial through Django's test client (``DEBUG`` off, an operator's session), and prints
each one's median CPU time (``time.process_time``) and its ratio over the floor, plus the
Python function calls of one request of each (``cProfile``: deterministic, so two commits
compare even when the machine is busy). The searches are the same as
``search_latency.py``'s desk searches: a place and a topic, "open now" in 30 %.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench \\
        uv run python benchmarks/desk_cpu.py --rounds 200
"""

import argparse
import cProfile
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _django import pass_second_factor, setup_django


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="interleaved rounds")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--language", default="nb", help="interface language of the pages")
    parser.add_argument(
        "--profile", type=int, default=0, help="print the N costliest functions of a partial"
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    setup_django(
        {
            "DEBUG": "false",
            "SECRET_KEY": "desk-cpu-benchmark-only-" + "x" * 40,
            "ALLOWED_HOSTS": "testserver",
            # The test client speaks plain HTTP; production's proxy would speak TLS.
            "SECURE_SSL_REDIRECT": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    from urllib.parse import urlencode

    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.test import Client

    from services_directory import places
    from services_directory.models import Municipality, Topic

    call_command("collectstatic", interactive=False, verbosity=0)
    user, _ = User.objects.get_or_create(username="bench-operator-cpu")
    user.groups.set([Group.objects.get(name="operator")])
    client = Client()
    client.force_login(user)
    session = client.session
    pass_second_factor(session, user)
    session.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = args.language

    rng = random.Random(args.seed)
    names = []
    for municipality in Municipality.objects.active():
        try:
            if places.resolve(municipality.label).municipality == municipality:
                names.append(municipality.label)
        except Exception:  # noqa: S112 - ambiguous names are simply not used
            continue
    topics = list(Topic.objects.filter(is_active=True).values_list("code", flat=True))

    def desk_path() -> str:
        params = [("where", rng.choice(names)), ("topic", rng.choice(topics))]
        if rng.random() < 0.3:
            params.append(("open", "1"))
        return "/desk/?" + urlencode(params)

    htmx = {"HTTP_HX_REQUEST": "true"}
    kinds = {
        "floor /about/": lambda path: client.get("/about/"),
        "desk page": lambda path: client.get(path),
        "desk htmx partial": lambda path: client.get(path, **htmx),
    }
    for kind in kinds.values():  # warm up: the index build, the template loaders
        for _ in range(5):
            response = kind(desk_path())
            if response.status_code != 200:
                sys.exit(f"{response.status_code} {response.get('Location', '')}")
    cpu: dict[str, list[float]] = {name: [] for name in kinds}
    for _ in range(args.rounds):
        path = desk_path()
        for name, kind in kinds.items():
            start = time.process_time()
            response = kind(path)
            cpu[name].append(time.process_time() - start)
            if response.status_code != 200:
                sys.exit(f"{name} {path}: {response.status_code}")
    floor = statistics.median(cpu["floor /about/"])
    print(f"{args.rounds} rounds, language {args.language}")
    print(f"{'':20} {'CPU p50 ms':>10} {'over floor':>10} {'calls':>8} (mean of 10 fixed searches)")
    # The same ten searches for every kind and every run: function calls are comparable.
    rng.seed(args.seed)
    profiled = [desk_path() for _ in range(10)]
    for name, kind in kinds.items():
        calls = 0
        for path in profiled:
            profile = cProfile.Profile()
            profile.runcall(kind, path)
            calls += pstats.Stats(profile).total_calls  # type: ignore[attr-defined]
        median = statistics.median(cpu[name])
        print(f"{name:20} {median * 1000:10.2f} {median / floor:9.2f}× {calls // 10:8}")
        if args.profile and name == "desk htmx partial":
            pstats.Stats(profile).sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()
