import socket

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.commands.runserver import naiveip_re

from hotline.demo.users import reset_demo_users

DEFAULT_ADDRPORT = "127.0.0.1:8000"


def parse_addrport(addrport: str) -> tuple[str, int, socket.AddressFamily]:
    """Host, port and address family as runserver reads ``addrport`` ("8000",
    "127.0.0.1:8000", "[::1]:8000", "localhost:8000")."""
    match = naiveip_re.match(addrport)
    if match is None:
        raise CommandError(f'"{addrport}" is not a valid port number or address:port pair.')
    addr, _ipv4, ipv6, _fqdn, port = match.groups()
    if ipv6:
        return addr[1:-1], int(port), socket.AF_INET6
    return addr or "127.0.0.1", int(port), socket.AF_INET


def port_in_use(host: str, port: int, family: socket.AddressFamily) -> OSError | None:
    """Why ``host:port`` cannot be served, or None. Binds it for a moment the way
    runserver will (address reuse on, so a port left in TIME_WAIT counts as free)."""
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        return error
    return None


class Command(BaseCommand):
    help = (
        "Set up the demo: migrate, load reference and demo data, create one user per role, "
        f"print their passwords, and serve on http://{DEFAULT_ADDRPORT}."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-server", action="store_true", help="Set up, but do not serve.")
        parser.add_argument(
            "--two-factor",
            action="store_true",
            help="Keep two-factor sign-in on: each demo user sets up an authenticator app.",
        )
        parser.add_argument(
            "--addrport",
            default=DEFAULT_ADDRPORT,
            help=f"Where to serve, as for runserver (default {DEFAULT_ADDRPORT}).",
        )

    def handle(self, *args, no_server: bool, addrport: str, two_factor: bool, **options):
        # Demo accounts have printed passwords: never create them on a production server.
        if not settings.DEBUG:
            raise CommandError("The demo only runs with DEBUG on; it creates known accounts.")
        if not no_server:
            # Before anything else, so a demo already running keeps its passwords.
            host, port, family = parse_addrport(addrport)
            if error := port_in_use(host, port, family):
                other = f"[{host}]" if family == socket.AF_INET6 else host
                raise CommandError(
                    f"Cannot serve on {addrport}: {error.strerror or error}. Is the demo "
                    f"running already? Stop it, or choose another port with --addrport "
                    f"(e.g. --addrport {other}:{port + 1}). Nothing was changed."
                )
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=min(verbosity, 1))
        call_command("load_reference_data", verbosity=verbosity)
        call_command("load_demo_data", verbosity=verbosity)
        call_command("load_demo_calls", verbosity=verbosity)
        credentials = reset_demo_users()
        # After the users: the editor owns the articles.
        call_command("load_demo_guide", verbosity=verbosity)
        if not two_factor and not no_server:
            # For this process only (DEBUG is on): a visitor trying the demo has no
            # authenticator set up. `--two-factor` shows the real sign-in.
            settings.REQUIRE_2FA = False
            settings.AXES_RESET_ON_SUCCESS = True

        self.stdout.write(self.style.SUCCESS("\nDemo users (passwords are new on every run):"))
        for username, password in credentials.items():
            self.stdout.write(f"  {username:<11} {password}")
        if two_factor:
            self.stdout.write("Two-factor sign-in is on: each user sets up an app first.")
        elif no_server:
            # The switch above lives in this process only: a server started later reads
            # REQUIRE_2FA from the environment, where it is on by default.
            self.stdout.write(
                "Two-factor sign-in is on for a server you start yourself; to try the demo "
                "without an app: REQUIRE_2FA=false uv run manage.py runserver"
            )
        else:
            self.stdout.write("Two-factor sign-in is off in this demo (--two-factor turns it on).")
        self.stdout.write("")
        if not no_server:
            self.stdout.write(f"Serving on http://{addrport}/  (Ctrl+C stops)")
            # runserver is daphne's (hotline/chat's runserver): the chat's WebSockets too.
            self.stdout.write(
                f"Chat: open http://{addrport}/chat/ in one window, and the desk as "
                "operator in another (tick “Take chats”).\n"
            )
            call_command("runserver", addrport, use_reloader=False)
