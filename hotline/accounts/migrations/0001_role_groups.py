"""Create the three staff role groups with their permissions.

Later migrations extend the groups' permissions as new models arrive. Permissions are
listed here, frozen, rather than imported from app code that will change.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "operator": [
        ("services_directory", "view_county"),
        ("services_directory", "view_municipality"),
        ("services_directory", "view_postcode"),
        ("services_directory", "view_place"),
    ],
    "editor": [
        ("services_directory", "view_county"),
        ("services_directory", "view_municipality"),
        ("services_directory", "view_postcode"),
        ("services_directory", "view_place"),
    ],
    "supervisor": [
        ("services_directory", "view_county"),
        ("services_directory", "view_municipality"),
    ],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in perms:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("services_directory", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
