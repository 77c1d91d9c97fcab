from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from hotline.guide.demo import load_demo_articles


class Command(BaseCommand):
    help = (
        "Demo articles for the guidance library, owned by the first editor. Idempotent. "
        "Run after the demo users exist (manage.py demo does)."
    )

    def handle(self, *args, **options):
        owner = (
            get_user_model().objects.filter(groups__name="editor").order_by("pk").first()
            or get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
        )
        if owner is None:
            raise CommandError("No editor to own the articles: create one first.")
        count = load_demo_articles(owner)
        if options["verbosity"]:
            self.stdout.write(f"{count} demo guidance articles, owned by {owner.get_username()}.")
