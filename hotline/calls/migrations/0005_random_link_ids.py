"""Topic and referral links with random ids instead of Django's numbered link tables,
whose ids ordered calls within the hour. The rows move to new tables in random order,
so not even their place on disk keeps the old order."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


def copy(source_field, target_model, other):
    def run(apps, schema_editor):
        Call = apps.get_model("calls", "Call")
        source = getattr(Call, source_field).through
        target = apps.get_model("calls", target_model)
        rows = source.objects.order_by("?").values_list("call_id", f"{other}_id")
        target.objects.bulk_create(
            (target(id=uuid.uuid4(), call_id=call, **{f"{other}_id": value}) for call, value in rows),
            batch_size=5_000,
        )

    return run


def copy_back(source_model, target_field, other):
    def run(apps, schema_editor):
        Call = apps.get_model("calls", "Call")
        source = apps.get_model("calls", source_model)
        target = getattr(Call, target_field).through
        rows = source.objects.values_list("call_id", f"{other}_id")
        target.objects.bulk_create(
            (target(call_id=call, **{f"{other}_id": value}) for call, value in rows),
            batch_size=5_000,
        )

    return run


def link_model(name, other, to):
    return migrations.CreateModel(
        name=name,
        fields=[
            ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
            ("call", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="calls.call")),
            (other, models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=to)),
        ],
        options={
            "constraints": [
                models.UniqueConstraint(fields=("call", other), name=f"calls_{name.lower()}_once")
            ],
        },
    )


class Migration(migrations.Migration):

    dependencies = [
        ("calls", "0004_adaptation_heard_via_missing_type"),
        ("services_directory", "0013_scrub_confidential_addresses_from_admin_log"),
    ]

    operations = [
        link_model("CallTopic", "topic", "services_directory.topic"),
        link_model("CallReferral", "service", "services_directory.service"),
        migrations.RunPython(
            copy("topics", "CallTopic", "topic"), copy_back("CallTopic", "topics", "topic")
        ),
        migrations.RunPython(
            copy("referrals", "CallReferral", "service"),
            copy_back("CallReferral", "referrals", "service"),
        ),
        # Django cannot alter a many-to-many field to a "through" one: the old field (and
        # its table) goes, the new one uses the tables above.
        migrations.RemoveField(model_name="call", name="topics"),
        migrations.RemoveField(model_name="call", name="referrals"),
        migrations.AddField(
            model_name="call",
            name="topics",
            field=models.ManyToManyField(blank=True, related_name="calls", through="calls.CallTopic", to="services_directory.topic", verbose_name="topics"),
        ),
        migrations.AddField(
            model_name="call",
            name="referrals",
            field=models.ManyToManyField(blank=True, related_name="call_referrals", through="calls.CallReferral", to="services_directory.service", verbose_name="referred to"),
        ),
    ]
