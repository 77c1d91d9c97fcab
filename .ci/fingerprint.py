"""Print what must survive a backup and restore of the database in DATABASE_URL, as JSON:
the row count of every table, the report summary, and the public search's answers.

    DATABASE_URL=postgres://... uv run python .ci/fingerprint.py [--check-live]

``--check-live`` then changes a service's name and shows the next search sees it: the
restored database's triggers keep the search index current. It writes to the database:
use it on a copy only. Used by .ci/backup_restore.sh.
"""

import hashlib
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
os.environ.setdefault("PUBLIC_API_RATE_LIMIT", "1000000")

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.db.models import Count, Sum  # noqa: E402
from django.test import Client  # noqa: E402

from hotline.reports.models import CallStat  # noqa: E402
from services_directory.models import Municipality, Service, Topic  # noqa: E402

CLIENT = Client(SERVER_NAME="localhost")


def require(condition, message) -> None:
    if not condition:
        raise SystemExit(f"fingerprint: {message}")


def counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in sorted(apps.get_models(), key=lambda m: m._meta.label)
    }


def summary() -> dict:
    per_breakdown = {
        row["breakdown"]: [row["rows"], row["calls"], row["keys"]]
        for row in CallStat.objects.values("breakdown")
        .annotate(rows=Count("pk"), calls=Sum("calls"), keys=Sum("key_sum"))
        .order_by("breakdown")
    }
    digest = hashlib.sha256()
    fields = ["breakdown", "week", "site", "channel", "county", "a", "b", "calls", "key_sum"]
    for row in CallStat.objects.order_by(*fields[:7]).values_list(*fields).iterator():
        digest.update(repr(row).encode())
    return {"breakdowns": per_breakdown, "rows_sha256": digest.hexdigest()}


def search(query: dict) -> list[int]:
    response = CLIENT.get("/api/v1/public/services", {**query, "page_size": 100})
    require(response.status_code == 200, (query, response.content[:300]))
    return [result["id"] for result in response.json()["results"]]


def searches() -> dict[str, list[int]]:
    # A fixed moment: "open now" must not change between the two runs.
    answers = {}
    for number in Municipality.objects.order_by("number").values_list("number", flat=True)[::37]:
        answers[f"municipality={number}"] = search({"municipality": number})
    for code in Topic.objects.order_by("code").values_list("code", flat=True):
        answers[f"topic={code}&municipality=1804"] = search({"topic": code, "municipality": "1804"})
    answers["all"] = search({})
    return answers


def check_live() -> None:
    service = Service.objects.published().order_by("pk").first()
    require(service is not None, "no published service to change")
    before = service.name_nb
    Service.objects.filter(pk=service.pk).update(name_nb="Omdøpt etter gjenoppretting")
    after = CLIENT.get("/api/v1/public/services", {"page_size": 100}).json()["results"]
    names = {result["id"]: result["name"]["nb"] for result in after}
    require(names[service.pk] == "Omdøpt etter gjenoppretting", names[service.pk])
    print(f"live: {before!r} renamed, and the next search shows it", file=sys.stderr)


if __name__ == "__main__":
    if "--check-live" in sys.argv:
        check_live()
    else:
        fingerprint = {"counts": counts(), "summary": summary(), "searches": searches()}
        require(fingerprint["counts"]["calls.Call"] > 0, "no calls: load the demo data first")
        require(fingerprint["summary"]["breakdowns"], "an empty report summary proves nothing")
        require(any(fingerprint["searches"].values()), "no search found anything")
        json.dump(fingerprint, sys.stdout, indent=1, sort_keys=True)
        print()
