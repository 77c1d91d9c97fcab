"""Audit events get random ids: a numbered event is placed among its neighbours, whose
times are exact, so an event kept to the hour would still give away its minute.

Django cannot turn a numbered primary key into a UUID in place on every database: the
events move to a new table (each with a new random id) that then takes the old name."""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

KINDS = [
    ("signed_in", "Signed in with password"),
    ("sign_in_failed", "Failed sign-in"),
    ("second_factor_passed", "Passed the second factor"),
    ("second_factor_failed", "Wrong second-factor code"),
    ("signed_out", "Signed out"),
    ("two_factor_enrolled", "Set up two-factor sign-in"),
    ("two_factor_reset", "Reset two-factor sign-in"),
    ("passkey_added", "Added a passkey"),
    ("passkey_removed", "Removed a passkey"),
    ("roles_changed", "Changed roles"),
    ("confidential_address_viewed", "Viewed a confidential address"),
    ("capacity_link_created", "Created a capacity link"),
    ("capacity_link_revoked", "Revoked a capacity link"),
    ("report_exported", "Exported a report table"),
]
FIELDS = ["created_at", "kind", "actor_id", "subject_id", "service_id", "ip_address", "details"]


def move(source_name, target_name, new_id):
    def run(apps, schema_editor):
        source = apps.get_model("audit", source_name)
        target = apps.get_model("audit", target_name)
        rows = source.objects.order_by("created_at").values(*FIELDS).iterator(chunk_size=5_000)
        target.objects.bulk_create(
            (target(**new_id(), **row) for row in rows), batch_size=5_000
        )

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_passkey_kinds"),
        ("services_directory", "0013_scrub_confidential_addresses_from_admin_log"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEventCopy",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="when")),
                ("kind", models.CharField(choices=KINDS, max_length=40, verbose_name="event")),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True, verbose_name="address")),
                ("details", models.JSONField(blank=True, default=dict, verbose_name="details")),
                ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="who")),
                ("service", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="services_directory.service", verbose_name="service")),
                ("subject", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="account")),
            ],
            options={
                "verbose_name": "audit event",
                "verbose_name_plural": "audit events",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.RunPython(
            move("AuditEvent", "AuditEventCopy", lambda: {"id": uuid.uuid4()}),
            move("AuditEventCopy", "AuditEvent", dict),
        ),
        migrations.DeleteModel(name="AuditEvent"),
        migrations.RenameModel(old_name="AuditEventCopy", new_name="AuditEvent"),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["kind", "-created_at"], name="audit_kind_created"),
        ),
    ]
