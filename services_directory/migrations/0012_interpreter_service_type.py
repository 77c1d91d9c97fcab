"""The service type of the line's own interpreter and text-relay contacts, which the desk's
"Tolk / teksttelefon" panel lists. Ordinary directory entries, edited like any other."""

from django.db import migrations

CODE = "tolk-og-teksttelefon"


def seed(apps, schema_editor):
    ServiceType = apps.get_model("services_directory", "ServiceType")
    position = ServiceType.objects.count()
    ServiceType.objects.update_or_create(
        code=CODE,
        defaults={
            "label": "Tolk og teksttelefon",
            "label_nb": "Tolk og teksttelefon",
            "label_en": "Interpreting and text relay",
            "position": position,
            "review_interval_months": 6,
        },
    )


def unseed(apps, schema_editor):
    ServiceType = apps.get_model("services_directory", "ServiceType")
    ServiceType.objects.filter(code=CODE, services__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("services_directory", "0011_hsds_uuids")]

    operations = [migrations.RunPython(seed, unseed)]
