"""A whole chat in two Chromium windows (writer at 390 px, operator at the desk) against a
real ASGI server (daphne), with axe on both sides."""

import os
import re
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests import servers
from tests.chat_servers import OPERATOR_PASSWORD, AsgiServer, make_chat_operator
from tests.conftest import CHROMIUM
from tests.factories import screenshot

# The servers have a database of their own; the suite's is only asked for because every
# browser test is followed by a reload of the reference data into it (tests/conftest.py).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"
REPORT = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => ["serious", "critical"].includes(v.impact))
    .map(v => ({id: v.id, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""
# Chromium shows headless tabs as visible; these stand in for switching tabs.
HIDE_TAB = """() => {
  Object.defineProperty(document, "hidden", {value: true, configurable: true});
  document.dispatchEvent(new Event("visibilitychange"));
}"""
SHOW_TAB = """() => {
  Object.defineProperty(document, "hidden", {value: false, configurable: true});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def serious(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(REPORT)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("Chromium is missing")
        pytest.skip("Chromium is missing")
    with servers.own_database(tmp_path_factory.mktemp("chat")) as database_url:
        env = servers.base_env(DATABASE_URL=database_url, REQUIRE_2FA="false")
        servers.manage(env, "migrate", "--verbosity", "0")
        make_chat_operator(env, "kari")
        servers.manage(
            env,
            "shell",
            "--no-imports",
            "--command",
            "from services_directory.models import ContactChannel, Organization, Service\n"
            "o = Organization.objects.create(name='Stiftelsen')\n"
            "s = Service.objects.create(organization=o, name='Nasjonal støttelinje',"
            " is_published=True, covers_whole_country=True, operator_note='Internt notat')\n"
            "ContactChannel.objects.create(service=s, kind='phone', value='80080080')\n",
        )
        started = AsgiServer(env)
        try:
            started.wait()
            yield started
        finally:
            started.stop()


@contextmanager
def two_sides(server):
    """One Chromium: the writer on a phone (390 px), the operator at the desk (1366 px)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            contexts = []
            for width, height in ((390, 844), (1366, 768)):
                context = browser.new_context(
                    base_url=server.url,
                    viewport={"width": width, "height": height},
                    locale="nb-NO",
                )
                context.set_default_timeout(15_000)
                contexts.append(context)
            yield contexts
        finally:
            browser.close()


def sign_in_to_the_desk(desk) -> None:
    desk.goto("/accounts/login/")
    desk.fill("input[name=username]", "kari")
    desk.fill("input[name=password]", OPERATOR_PASSWORD)
    desk.press("input[name=password]", "Enter")
    desk.wait_for_url("**/desk/")


def test_a_whole_chat_between_a_writer_and_an_operator(server):
    from playwright.sync_api import expect

    phrase = f"hjelp-{uuid.uuid4().hex[:8]}"
    with two_sides(server) as (writer_context, desk_context):
        writer = writer_context.new_page()
        desk = desk_context.new_page()

        # The writer's one short step, by keyboard.
        writer.goto("/chat/")
        assert serious(writer) == []
        writer.get_by_label("Ja").check()
        writer.get_by_role("button", name="Start chat").press("Enter")
        expect(writer.locator("#chat-status")).to_contain_text("nummer 1 i køen")
        assert writer_context.cookies() == []

        # The operator signs in, opts in and takes the chat.
        sign_in_to_the_desk(desk)
        desk.goto("/desk/?where=")
        desk.locator("#chat-available").check()
        expect(desk.locator("#chat-queue")).to_contain_text("Venter: 1")
        # A desk in another tab still shows that someone waits.
        expect(desk).to_have_title(re.compile(r"^\(1\) "))
        title = desk.title()
        desk.locator("#chat-accept").click()
        chat = desk.locator(".chat-desk__chat")
        expect(chat).to_have_count(1)
        expect(desk).to_have_title(title.removeprefix("(1) "))
        expect(writer.locator("#chat-status")).to_contain_text("En veileder er her")
        # The conversation leads the column beside the search, all on the first
        # screen: the reply box has the focus, and neither the page nor the search
        # moved to give it.
        expect(chat.locator("textarea")).to_be_focused()
        assert desk.evaluate("window.scrollY") == 0
        assert desk.locator(".desk__call > *").first.get_attribute("id") == "chat-desk"
        for part in (
            desk.locator("#id_where"),
            chat.locator("textarea"),
            chat.locator(".chat-desk__actions"),
        ):
            box = part.bounding_box()
            assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768

        # Messages both ways, by keyboard (Enter sends). One arrives while the desk's tab
        # is hidden: its title counts it until the operator looks again.
        desk.evaluate(HIDE_TAB)
        writer.locator("#chat-text").fill(phrase)
        writer.locator("#chat-text").press("Enter")
        expect(chat.locator(".chat-desk__log")).to_contain_text(phrase)
        expect(desk).to_have_title(f"(1) {title.removeprefix('(1) ')}")
        desk.evaluate(SHOW_TAB)
        expect(desk).to_have_title(title.removeprefix("(1) "))
        chat.locator("textarea").fill("Hei, jeg er her. Er det trygt å skrive?")
        chat.locator("textarea").press("Enter")
        expect(writer.locator("#chat-log")).to_contain_text("Er det trygt å skrive?")

        # "Send til chat" on a result card: the public details only.
        desk.locator("li.hit .chat-send-service").first.click()
        expect(writer.locator("#chat-log")).to_contain_text("Nasjonal støttelinje")
        expect(writer.locator("#chat-log")).to_contain_text("800 80 080")
        assert "Internt notat" not in writer.locator("body").inner_text()
        assert serious(writer) == []
        assert serious(desk) == []
        screenshot(writer, "chat-writer.png")
        desk.evaluate("window.scrollTo(0, 0)")
        screenshot(desk, "chat-desk.png")

        # The operator ends it; the writer can copy the services; the desk records it.
        chat.get_by_role("button", name="Avslutt chat").click()
        expect(writer.locator("#chat-status")).to_contain_text("Veilederen avsluttet")
        expect(writer.locator("#chat-services")).to_be_visible()
        expect(writer.locator("#chat-send")).to_be_hidden()
        expect(chat.locator("form")).to_be_hidden()
        expect(chat.locator(".chat-desk__actions")).to_be_hidden()
        record = chat.get_by_role("link", name="Registrer chatten i samtaleloggen")
        record.click()
        desk.wait_for_url("**/chat/desk/record/**")
        assert serious(desk) == []


def test_quick_exit_replaces_the_page_and_ends_the_chat(server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            context = browser.new_context(
                base_url=server.url, viewport={"width": 390, "height": 844}, locale="nb-NO"
            )
            # The neutral site is not reached (no internet): record where it goes.
            context.route("https://www.yr.no/**", lambda route: route.fulfill(body="yr"))
            writer = context.new_page()
            writer.goto("/chat/")
            writer.goto("/chat/?language=nb&age_group=&safe=yes")
            expect(writer.locator("#chat-status")).to_contain_text("i køen")
            writer.keyboard.press("Escape")
            writer.wait_for_url("https://www.yr.no/")
            # No history entry back to the chat: back goes to the step before it.
            writer.go_back()
            assert writer.url.endswith("/chat/")
            # The server ended it: a new chat from the same address is allowed again.
            again = context.new_page()
            again.goto("/chat/?language=nb&age_group=&safe=yes")
            expect(again.locator("#chat-status")).to_contain_text("nummer 1 i køen")
            again.get_by_role("button", name="Avslutt chatten").click()
            expect(again.locator("#chat-status")).to_contain_text("Du avsluttet chatten")
        finally:
            browser.close()


def a_held_chat(writer_context, desk_context, *, reconnects: bool = True):
    """A chat the desk holds: the writer's page, the desk's page, its chat panel, and the
    routes the writer's sockets pass through, so that a test can cut one as a network
    would (a phone locking, a train tunnel). Without ``reconnects`` every try after the
    first fails too, as where the network has gone."""
    from playwright.sync_api import expect

    writer = writer_context.new_page()
    routes = []

    def through(route):
        routes.append(route)
        if reconnects or len(routes) == 1:
            route.connect_to_server()
        else:
            route.close(code=1011)

    writer.route_web_socket(re.compile(r".*/ws/chat/$"), through)
    writer.goto("/chat/?language=nb&age_group=&safe=yes")
    expect(writer.locator("#chat-status")).to_contain_text("i køen")
    desk = desk_context.new_page()
    sign_in_to_the_desk(desk)
    desk.locator("#chat-available").check()
    expect(desk.locator("#chat-queue")).to_contain_text("Venter: 1")
    desk.locator("#chat-accept").click()
    expect(writer.locator("#chat-status")).to_contain_text("En veileder er her")
    return writer, desk, desk.locator(".chat-desk__chat"), routes


def test_a_dropped_connection_comes_back_to_the_same_chat(server):
    from playwright.sync_api import expect

    with two_sides(server) as (writer_context, desk_context):
        writer, desk, chat, connections = a_held_chat(writer_context, desk_context)

        connections[0].close()
        # The desk is told, and cannot send into the gap.
        expect(chat.locator(".chat-desk__log")).to_contain_text("forbindelse ble brutt")
        expect(chat.locator("textarea")).to_be_disabled()
        # The page comes back by itself, to the same chat.
        expect(writer.locator("#chat-status")).to_contain_text("tilbake i chatten")
        notice = writer.locator("#chat-log .chat-message--system").last
        expect(notice).to_have_text("Du er tilbake i chatten.")  # a notice names no sender
        assert len(connections) == 2
        expect(chat.locator(".chat-desk__log")).to_contain_text("Skriveren er tilbake")
        expect(chat.locator("textarea")).to_be_enabled()
        chat.locator("textarea").fill("Fint at du er tilbake.")
        chat.locator("textarea").press("Enter")
        expect(writer.locator("#chat-log")).to_contain_text("Fint at du er tilbake.")
        writer.locator("#chat-text").fill("Takk")
        writer.locator("#chat-text").press("Enter")
        expect(chat.locator(".chat-desk__log")).to_contain_text("Takk")
        assert serious(writer) == []
        assert serious(desk) == []

        writer.locator("#chat-end").click()
        expect(chat.locator(".chat-desk__log")).to_contain_text("Den som skrev, forlot chatten")

        # Leaving the page on purpose ends the chat at once, without the wait (a page
        # whose socket is not routed through the test).
        again = writer_context.new_page()
        again.goto("/chat/?language=nb&age_group=&safe=yes")
        expect(again.locator("#chat-status")).to_contain_text("i køen")
        desk.locator("#chat-accept").click()
        expect(again.locator("#chat-status")).to_contain_text("En veileder er her")
        again.goto("about:blank")
        expect(chat.last.locator(".chat-desk__log")).to_contain_text(
            "Den som skrev, forlot chatten"
        )


def test_a_quick_exit_while_the_page_reconnects_ends_the_chat_at_once(server):
    from playwright.sync_api import expect

    with two_sides(server) as (writer_context, desk_context):
        writer_context.route("https://www.yr.no/**", lambda route: route.fulfill(body="yr"))
        writer, _desk, chat, tries = a_held_chat(writer_context, desk_context, reconnects=False)

        tries[0].close()
        expect(chat.locator(".chat-desk__log")).to_contain_text("forbindelse ble brutt")
        # Two failed tries (after 1 s and 2 s): the next waits 4 s, so the page has no
        # socket when the writer leaves.
        for _ in range(150):
            if len(tries) >= 3:
                break
            writer.wait_for_timeout(100)
        assert len(tries) >= 3
        writer.wait_for_timeout(300)
        writer.keyboard.press("Escape")
        writer.wait_for_url("https://www.yr.no/")
        # Ended now, not when the 120 s wait for a return runs out.
        expect(chat.locator(".chat-desk__log")).to_contain_text("Den som skrev, forlot chatten")
        assert len(tries) == 3  # and the page did not try again on its way out


def test_on_a_phone_the_desk_reaches_its_chat_in_one_tap(server):
    from playwright.sync_api import expect

    with two_sides(server) as (writer_context, desk_context):
        writer = writer_context.new_page()
        writer.goto("/chat/?language=nb&age_group=&safe=yes")
        expect(writer.locator("#chat-status")).to_contain_text("i køen")
        desk = desk_context.new_page()
        desk.set_viewport_size({"width": 390, "height": 844})
        sign_in_to_the_desk(desk)
        link = desk.get_by_role("link", name="Chat", exact=True)
        expect(link).to_be_hidden()  # no chat held
        desk.locator("#chat-available").check()
        desk.locator("#chat-accept").click()
        expect(writer.locator("#chat-status")).to_contain_text("En veileder er her")
        desk.evaluate("window.scrollTo(0, 0)")
        link.click()
        reply = desk.locator(".chat-desk__chat textarea")
        expect(reply).to_be_in_viewport()
        assert serious(desk) == []
        writer.get_by_role("button", name="Avslutt chatten").click()
        expect(link).to_be_hidden()
