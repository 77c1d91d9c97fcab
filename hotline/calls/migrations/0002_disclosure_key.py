import secrets

from django.db import migrations, models

import hotline.calls.models

BATCH = 5000


def fill_keys(apps, schema_editor):
    """Give every existing call its own random key.

    AddField evaluates a callable default once, so all existing rows got the same
    key; equal keys would make the reports' noise predictable.
    """
    Call = apps.get_model("calls", "Call")
    ids = list(Call.objects.values_list("pk", flat=True))
    for offset in range(0, len(ids), BATCH):
        calls = [
            Call(pk=pk, disclosure_key=secrets.randbelow(2**31))
            for pk in ids[offset : offset + BATCH]
        ]
        Call.objects.bulk_update(calls, ["disclosure_key"])


class Migration(migrations.Migration):

    dependencies = [
        ("calls", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="call",
            name="disclosure_key",
            field=models.PositiveIntegerField(
                default=hotline.calls.models.new_disclosure_key,
                editable=False,
                verbose_name="disclosure key",
            ),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=True),
    ]
