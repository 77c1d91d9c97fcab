from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from hotline.demo.users import reset_demo_users


class Command(BaseCommand):
    help = (
        "Set up the demo: migrate, load reference and demo data, create one user per role, "
        "print their passwords, and serve on http://127.0.0.1:8000."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-server", action="store_true", help="Set up, but do not serve.")
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, no_server: bool, addrport: str, **options):
        # Demo accounts have printed passwords: never create them on a production server.
        if not settings.DEBUG:
            raise CommandError("The demo only runs with DEBUG on; it creates known accounts.")
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=min(verbosity, 1))
        call_command("load_reference_data", verbosity=verbosity)
        call_command("load_demo_data", verbosity=verbosity)
        call_command("load_demo_calls", verbosity=verbosity)
        credentials = reset_demo_users()

        self.stdout.write(self.style.SUCCESS("\nDemo users (passwords are new on every run):"))
        for username, password in credentials.items():
            self.stdout.write(f"  {username:<11} {password}")
        self.stdout.write("")
        if not no_server:
            self.stdout.write(f"Serving on http://{addrport}/  (Ctrl+C stops)\n")
            call_command("runserver", addrport, use_reloader=False)
