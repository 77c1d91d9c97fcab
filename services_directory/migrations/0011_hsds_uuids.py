import uuid

from django.db import migrations, models

# Every object the HSDS export names gets a UUID of its own, kept so it survives
# re-exports (HSDS says ids are UUIDs); and a service's fees in words (HSDS
# fees_description, translated), which HSDS import no longer collapses into a flag.
MODELS = ("organization", "service", "location", "contactchannel", "openinghours")


def give_uuids(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("services_directory", name)
        history = apps.get_model("services_directory", f"historical{name}")
        rows = list(model.objects.only("pk"))
        for row in rows:
            row.uuid = uuid.uuid4()
        model.objects.bulk_update(rows, ["uuid"], batch_size=1000)
        # A row's history carries the row's UUID; history of deleted rows keeps its own.
        by_pk = {row.pk: row.uuid for row in rows}
        past = list(history.objects.only("history_id", "id"))
        for entry in past:
            entry.uuid = by_pk.get(entry.id) or uuid.uuid4()
        history.objects.bulk_update(past, ["uuid"], batch_size=1000)


def field(**kwargs):
    return models.UUIDField(default=uuid.uuid4, editable=False, verbose_name="HSDS UUID", **kwargs)


class Migration(migrations.Migration):
    dependencies = [
        ("services_directory", "0010_service_change_log"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=model,
                name=f"fees_description{suffix}",
                field=models.CharField(
                    blank=True, max_length=500, verbose_name="fees", **({"null": True} if suffix else {})
                ),
            )
            for model in ("service", "historicalservice")
            for suffix in ("", "_nb", "_nn", "_en", "_se")
        ),
        # Nullable first: a unique column cannot be added with one default for every row.
        *(
            migrations.AddField(model_name=name, name="uuid", field=field(null=True))
            for name in MODELS
        ),
        *(
            migrations.AddField(model_name=f"historical{name}", name="uuid", field=field(null=True))
            for name in MODELS
        ),
        migrations.RunPython(give_uuids, migrations.RunPython.noop, elidable=False),
        *(
            migrations.AlterField(model_name=name, name="uuid", field=field(unique=True))
            for name in MODELS
        ),
        *(
            migrations.AlterField(
                model_name=f"historical{name}", name="uuid", field=field(db_index=True)
            )
            for name in MODELS
        ),
    ]
