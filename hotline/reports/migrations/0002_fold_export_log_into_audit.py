"""Report exports move to the one audit log (hotline.audit); their rows go with them."""

from django.db import migrations


def to_audit_log(apps, schema_editor):
    ExportLog = apps.get_model("reports", "ExportLog")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditEvent.objects.bulk_create(
        AuditEvent(
            kind="report_exported",
            created_at=log.created_at,
            actor_id=log.user_id,
            details={"table": log.table, "filters": log.filters},
        )
        for log in ExportLog.objects.iterator()
    )


def from_audit_log(apps, schema_editor):
    ExportLog = apps.get_model("reports", "ExportLog")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    ExportLog.objects.bulk_create(
        ExportLog(
            created_at=event.created_at,
            user_id=event.actor_id,
            table=event.details.get("table", ""),
            filters=event.details.get("filters", {}),
        )
        for event in AuditEvent.objects.filter(kind="report_exported").iterator()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(to_audit_log, from_audit_log),
        migrations.DeleteModel(name="ExportLog"),
    ]
