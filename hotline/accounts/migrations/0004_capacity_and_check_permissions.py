"""Editors manage shelters' capacity reports and links, and read the directory check."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["sheltercapacity", "capacitylink", "directorycheck"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    directory = Permission.objects.filter(content_type__app_label="services_directory")
    editor = Group.objects.get(name="editor")
    for model in MODELS:
        for action in ("view", "add", "change"):
            editor.permissions.add(directory.get(codename=f"{action}_{model}"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_error_report_permissions"),
        ("services_directory", "0007_capacity_and_checks"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
