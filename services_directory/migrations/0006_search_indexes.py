from django.db import migrations, models


class Migration(migrations.Migration):
    """Indexes for "open at" over the whole directory: the weekly spans of one weekday by
    time, and the dated exceptions. Without them each of the up to six lookups an open-now
    search makes is a scan of the whole opening-hours table (docs/performance.md)."""

    dependencies = [
        ("services_directory", "0005_search"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="openinghours",
            index=models.Index(
                condition=models.Q(("channel__isnull", True), ("kind", "weekly")),
                fields=["weekday", "opens", "closes", "service"],
                name="hours_weekly_open_at",
            ),
        ),
        migrations.AddIndex(
            model_name="openinghours",
            index=models.Index(
                condition=models.Q(("channel__isnull", True), ("kind", "exception")),
                fields=["valid_from"],
                name="hours_exceptions_open_at",
            ),
        ),
    ]
