"""The caller roles articles can be for, and the roles' permissions on the library."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Codes as the call log's caller roles (hotline.calls.models.Call.CallerRole), plus under 16.
AUDIENCES = [
    ("utsatt", "Utsatt for vold", "Exposed to violence"),
    ("parorende", "Pårørende eller venn", "Relative or friend"),
    ("fagperson", "Fagperson", "Professional"),
    ("utover", "Utøver vold", "Uses violence"),
    ("under_16", "Under 16 år", "Under 16"),
]
EDITED = ["article"]


def forwards(apps, schema_editor):
    Audience = apps.get_model("guide", "Audience")
    for position, (code, nb, en) in enumerate(AUDIENCES):
        Audience.objects.update_or_create(
            code=code, defaults={"label": nb, "label_nb": nb, "label_en": en, "position": position}
        )
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    guide = Permission.objects.filter(content_type__app_label="guide")
    editor = Group.objects.get(name="editor")
    for model in EDITED:
        for action in ("view", "add", "change", "delete"):
            editor.permissions.add(guide.get(codename=f"{action}_{model}"))
    editor.permissions.add(guide.get(codename="view_audience"))
    for name in ("operator", "supervisor"):
        Group.objects.get(name=name).permissions.add(guide.get(codename="view_article"))


class Migration(migrations.Migration):
    dependencies = [
        ("guide", "0001_initial"),
        ("accounts", "0001_role_groups"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
