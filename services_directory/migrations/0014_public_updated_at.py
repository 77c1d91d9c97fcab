"""The public timestamp of a service, apart from its updated_at.

Existing services (and their history) start from their updated_at, so the public API's
ETags and Last-Modified stay what they were across the upgrade. From then on the
triggers (services_directory.triggers, installed after every migrate) stamp it.
"""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def start_from_updated_at(apps, schema_editor):
    for name in ("Service", "HistoricalService"):
        model = apps.get_model("services_directory", name)
        model.objects.update(public_updated_at=F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("services_directory", "0013_scrub_confidential_addresses_from_admin_log"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalservice",
            name="public_updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="service",
            name="public_updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.RunPython(start_from_updated_at, migrations.RunPython.noop),
    ]
