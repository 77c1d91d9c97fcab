"""Take confidential addresses out of the admin's stored change messages.

Until a location named itself without its confidential address, the admin wrote the
address of a location without a name into the change message (LogEntry) of every save
that added, changed or deleted it. Every address a confidential location has had (its
history included) is replaced there by "Confidential address", which is what such a
location is called now. Nothing else in the messages changes.
"""

import json
from collections import defaultdict

from django.db import migrations

LABEL = "Confidential address"


def scrub(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    service_type = ContentType.objects.filter(
        app_label="services_directory", model="service"
    ).first()
    if service_type is None:
        return  # a fresh database: the admin has logged nothing yet
    secret: dict[str, set[str]] = defaultdict(set)
    for model_name in ("Location", "HistoricalLocation"):
        rows = apps.get_model("services_directory", model_name).objects.filter(
            is_confidential=True, name=""
        )
        for service_id, address in rows.exclude(address="").values_list("service_id", "address"):
            secret[str(service_id)].add(address)
    entries = LogEntry.objects.filter(content_type=service_type, object_id__in=list(secret))
    for entry in entries.exclude(change_message=""):
        try:
            message = json.loads(entry.change_message)
        except ValueError:
            continue  # an old plain-text message, not written by a form with inlines
        if not isinstance(message, list):
            continue
        addresses, changed = secret[entry.object_id], False
        for item in message:
            for action in item.values() if isinstance(item, dict) else ():
                if isinstance(action, dict) and action.get("object") in addresses:
                    action["object"] = LABEL
                    changed = True
        if changed:
            entry.change_message = json.dumps(message)
            entry.save(update_fields=["change_message"])


class Migration(migrations.Migration):
    dependencies = [
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("services_directory", "0012_interpreter_service_type"),
    ]

    # Irreversible in substance (the addresses are gone), harmless to unapply.
    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
