"""Give the roles their permissions on the directory models."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DIRECTORY_MODELS = [
    "organization",
    "service",
    "location",
    "contactchannel",
    "openinghours",
    "servicetype",
    "topic",
    "targetgroup",
    "accessibilityfeature",
    "language",
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    directory = Permission.objects.filter(content_type__app_label="services_directory")
    editor = Group.objects.get(name="editor")
    for model in DIRECTORY_MODELS:
        for action in ("view", "add", "change", "delete"):
            editor.permissions.add(directory.get(codename=f"{action}_{model}"))
    for name in ("operator", "supervisor"):
        group = Group.objects.get(name=name)
        for model in DIRECTORY_MODELS:
            group.permissions.add(directory.get(codename=f"view_{model}"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_role_groups"),
        ("services_directory", "0003_vocabularies"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
