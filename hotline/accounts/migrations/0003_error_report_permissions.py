"""Editors can see the operator error-report queue in the admin too."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor = Group.objects.get(name="editor")
    for action in ("view", "change"):
        editor.permissions.add(
            Permission.objects.get(
                content_type__app_label="services_directory", codename=f"{action}_errorreport"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_directory_permissions"),
        ("services_directory", "0004_error_reports"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
