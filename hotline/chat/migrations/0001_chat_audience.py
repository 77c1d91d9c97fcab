"""The guidance library's audience for the chat's ready texts: articles for it show as
buttons in the desk's chat panel (hotline/chat/ready_texts.py)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Audience = apps.get_model("guide", "Audience")
    Audience.objects.update_or_create(
        code="chat",
        defaults={
            "label": "Chat: ferdige tekster",
            "label_nb": "Chat: ferdige tekster",
            "label_en": "Chat: ready texts",
            "position": 90,
        },
    )


def backwards(apps, schema_editor):
    apps.get_model("guide", "Audience").objects.filter(code="chat").delete()


class Migration(migrations.Migration):
    dependencies = [("guide", "0002_audiences_and_permissions")]

    operations = [migrations.RunPython(forwards, backwards)]
