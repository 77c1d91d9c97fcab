"""manage.py demo (hotline/demo): refuses a taken port before it touches anything."""

import socket
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from hotline.demo.users import DEMO_USERNAMES, reset_demo_users

pytestmark = pytest.mark.django_db

COMMAND = "hotline.demo.management.commands.demo"


@pytest.fixture
def debug(settings):
    settings.DEBUG = True  # the demo refuses to run without it


@pytest.fixture
def subcommands():
    """The commands the demo runs (migrate, loads, runserver), recorded instead of run."""
    with mock.patch(f"{COMMAND}.call_command") as recorded:
        yield recorded


def password_hashes() -> dict[str, str]:
    return dict(User.objects.values_list("username", "password"))


def test_a_taken_port_stops_the_demo_before_any_password_changes(debug, subcommands):
    reset_demo_users()  # a demo set up earlier, whose printed passwords still work
    before = password_hashes()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=f"Cannot serve on 127.0.0.1:{port}: .*--addrport"):
            call_command("demo", addrport=f"127.0.0.1:{port}", verbosity=0)
    assert password_hashes() == before
    assert set(before) >= set(DEMO_USERNAMES.values())
    subcommands.assert_not_called()  # nothing migrated or loaded either


def test_addrport_is_passed_to_runserver(debug, subcommands, capsys):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    call_command("demo", addrport=f"127.0.0.1:{port}", verbosity=0)
    assert subcommands.call_args_list[-1] == mock.call(
        "runserver", f"127.0.0.1:{port}", use_reloader=False
    )
    assert [c.args[0] for c in subcommands.call_args_list] == [
        "migrate",
        "load_reference_data",
        "load_demo_data",
        "load_demo_calls",
        "load_demo_guide",
        "runserver",
    ]
    assert f"Serving on http://127.0.0.1:{port}/" in capsys.readouterr().out


def test_the_default_addrport_is_8000(debug, subcommands):
    with mock.patch(f"{COMMAND}.port_in_use", return_value=None) as probed:
        call_command("demo", verbosity=0)
    probed.assert_called_once_with("127.0.0.1", 8000, socket.AF_INET)
    assert subcommands.call_args_list[-1].args == ("runserver", "127.0.0.1:8000")


def test_no_server_neither_checks_the_port_nor_serves(debug, subcommands):
    with mock.patch(f"{COMMAND}.port_in_use") as probed:
        call_command("demo", no_server=True, verbosity=0)
    probed.assert_not_called()
    assert "runserver" not in [c.args[0] for c in subcommands.call_args_list]


def test_a_malformed_addrport_is_refused_up_front(debug, subcommands):
    with pytest.raises(CommandError, match="not a valid port number"):
        call_command("demo", addrport="nowhere:", verbosity=0)
    subcommands.assert_not_called()


def test_the_demo_refuses_to_run_without_debug(settings, subcommands):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo", no_server=True, verbosity=0)
    subcommands.assert_not_called()


def test_the_demo_serves_without_the_second_factor_unless_asked(debug, subcommands, capsys):
    from django.conf import settings

    with mock.patch(f"{COMMAND}.port_in_use", return_value=None):
        call_command("demo", verbosity=0)
        assert settings.REQUIRE_2FA is False
        assert "Two-factor sign-in is off" in capsys.readouterr().out
        settings.REQUIRE_2FA = True
        call_command("demo", two_factor=True, verbosity=0)
        assert settings.REQUIRE_2FA is True
        assert "Two-factor sign-in is on" in capsys.readouterr().out


def test_no_server_says_a_server_started_later_asks_for_the_second_factor(
    debug, subcommands, capsys
):
    from django.conf import settings

    call_command("demo", no_server=True, verbosity=0)
    out = capsys.readouterr().out
    assert "Two-factor sign-in is off" not in out
    assert "Two-factor sign-in is on for a server you start yourself" in out
    assert "REQUIRE_2FA=false uv run manage.py runserver" in out
    # Nothing in this process pretends otherwise: the setting keeps the environment's value.
    assert settings.REQUIRE_2FA is True


def test_a_demo_run_resets_the_demo_users_authenticators(debug):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import enrol

    reset_demo_users()
    enrol(User.objects.get(username="operator"))
    reset_demo_users()
    assert not TOTPDevice.objects.exists()


def test_the_guidance_articles_load_after_their_editor_exists(debug):
    """load_demo_guide gives every article the demo editor as owner, so the demo must
    create the users first."""
    editors_when_loading = []

    def run(name, *args, **kwargs):
        if name == "load_demo_guide":
            editors_when_loading.append(User.objects.filter(username="editor").exists())

    with mock.patch(f"{COMMAND}.call_command", side_effect=run):
        call_command("demo", no_server=True, verbosity=0)
    assert editors_when_loading == [True]
