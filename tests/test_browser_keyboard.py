"""The desk by keyboard alone, at 1366×768: every control is reached with Tab, is in view
when focused and shows where the focus is, and the whole flow of a call works without a
mouse (WCAG 2.1.1, 2.4.3, 2.4.7)."""

import pytest

from hotline.accounts.roles import Role
from tests.factories import (
    BODO,
    add_location,
    add_phone,
    log_in,
    make_service,
    make_site,
    make_user,
    open_weekdays,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SEARCH = "/desk/?where=Bod%C3%B8&topic=voldtekt"
MAX_TABS = 400

# Shared by the scripts below: a readable name for a control, for failure messages.
DESCRIBE = """const describe = (el) => {
  const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
  return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}` +
    `${el.name ? "[name=" + el.name + "]" : ""} ${text.slice(0, 40)}`;
};"""

# Tags every control a keyboard user must be able to reach with ``data-kb``; a radio
# group is one stop (the arrow keys move within it), so its radios share a tag.
MARK = (
    "() => {"
    + DESCRIBE
    + """
  const controls = [...document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, " +
    "[tabindex]:not([tabindex='-1'])"
  )].filter((el) => !el.disabled && el.checkVisibility({visibilityProperty: true}));
  const tags = {};
  controls.forEach((el, n) => {
    el.dataset.kb = el.type === "radio" ? `radio:${el.name}` : String(n);
    tags[el.dataset.kb] = describe(el);
  });
  return tags;
}"""
)

# The focused control: which it is, whether it is in view and not covered, and whether
# its focused look (outline or box-shadow, its own or its chip's) differs from unfocused.
FOCUSED = (
    "() => {"
    + DESCRIBE
    + """
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const look = (e) => {
    const s = getComputedStyle(e);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow].join(" ");
  };
  const holder = el.closest("label") || el;
  const focused = look(el) + " / " + look(holder);
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  const state = {
    kb: el.dataset.kb || null,
    name: describe(el),
    in_view: r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 &&
      r.bottom <= innerHeight && r.right <= innerWidth,
    on_top: !!hit && (hit === el || el.contains(hit) || (hit === holder && holder !== el)),
    where: `${Math.round(r.top)}..${Math.round(r.bottom)} under ${hit ? describe(hit) : "-"}`,
  };
  el.blur();
  state.indicator = look(el) + " / " + look(holder) !== focused;
  el.focus({preventScroll: true});
  return state;
}"""
)


@pytest.fixture
def desk(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    operator = make_user(Role.OPERATOR, username="kari")
    make_site("Nasjonal hjelpelinje – Oslo", operator)
    local = make_service(
        "Krisesenteret i Bodø",
        topics=["voldtekt"],
        municipalities=[BODO],
        description_nb="Døgnåpent krisesenter med samtaler og botilbud. " * 6,
        anonymous_contact=True,
    )
    add_location(local, BODO)
    add_location(local, BODO, confidential=True)
    add_phone(local, "75 55 55 55", "Døgnvakt")
    open_weekdays(local)
    national = make_service("Incestsenteret", topics=["voldtekt"], covers_whole_country=True)
    add_phone(national, "800 57 000")
    log_in(page, "kari")
    return page


def walk(page) -> tuple[dict[str, str], list[dict]]:
    """Tab from the top of the page to its end: (controls to reach, each stop made)."""
    page.wait_for_load_state("networkidle")
    controls = page.evaluate(MARK)
    # From the top: the body, focused for a moment, becomes the starting point.
    page.evaluate(
        """() => {
      window.scrollTo(0, 0);
      document.body.tabIndex = -1;
      document.body.focus();
      document.body.removeAttribute("tabindex");
    }"""
    )
    stops: list[dict] = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUSED)
        if state is None or (stops and state["kb"] == stops[0]["kb"]):
            break
        stops.append(state)
    return controls, stops


def assert_every_control_reached_visibly(controls: dict[str, str], stops: list[dict]) -> None:
    assert stops, "Tab reached nothing"
    assert stops[0]["name"].startswith("a Hopp til innholdet"), stops[0]  # the skip link
    reached = {stop["kb"] for stop in stops}
    missing = [name for kb, name in controls.items() if kb not in reached]
    assert missing == [], f"not reachable with Tab: {missing}"
    hidden = [
        f"{stop['name']} at {stop['where']}"
        for stop in stops
        if not (stop["in_view"] and stop["on_top"])
    ]
    assert hidden == [], f"focused but out of view or covered: {hidden}"
    unmarked = [stop["name"] for stop in stops if not stop["indicator"]]
    assert unmarked == [], f"focused without a visible focus indicator: {unmarked}"


def test_every_control_on_the_desk_with_results(desk):
    desk.goto(SEARCH)
    desk.locator("ol.hits > li").first.wait_for()
    controls, stops = walk(desk)
    names = " | ".join(stop["name"] for stop in stops)
    for expected in ("input#id_where", "[name=topic]", "summary", "a ", "Start samtale"):
        assert expected in names, expected
    assert any("75 55 55 55" in stop["name"] for stop in stops)
    assert_every_control_reached_visibly(controls, stops)


def test_every_control_of_an_open_call(desk):
    desk.goto(SEARCH)
    desk.click("#call-panel form[action$='/start/'] button[type=submit]")
    desk.wait_for_selector("#call-panel form.call-form")
    desk.goto(SEARCH)  # results drawn with the call open: "Add as referral" buttons
    desk.locator("ol.hits form[action$='/referrals/']").first.wait_for()
    controls, stops = walk(desk)
    names = " | ".join(stop["name"] for stop in stops)
    for expected in ("Legg til som henvisning", "[name=caller_role]", "Avslutt samtale"):
        assert expected in names, expected
    assert_every_control_reached_visibly(controls, stops)


class Keys:
    """The keyboard, counting every key the test presses (a typed word: one a letter)."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def press(self, key: str) -> None:
        self.count += 1
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.count += len(text)
        self.page.keyboard.type(text, delay=40)


def tab_to(keys: Keys, selector: str, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until ``selector`` has the focus."""
    page = keys.page
    target = page.locator(selector).first
    target.wait_for()
    for _ in range(MAX_TABS):
        if target.evaluate("el => el === document.activeElement"):
            state = page.evaluate(FOCUSED)
            assert state["in_view"] and state["on_top"] and state["indicator"], state
            return
        keys.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{selector} not reachable with the keyboard")


def focus_settles_in(page, selector: str) -> bool:
    """Whether the focus is inside ``selector`` within a second (polled here: the pages'
    CSP forbids the eval that Playwright's wait_for_function needs)."""
    for _ in range(20):
        if page.evaluate("s => !!document.activeElement.closest(s)", selector):
            return True
        page.wait_for_timeout(50)
    return False


def focused(page) -> str:
    return page.evaluate(f"() => {{{DESCRIBE} return describe(document.activeElement)}}")


# A whole call by keyboard: place, topic, number, start, referral, categories, close.
MAX_KEYS = 40


def test_a_whole_call_by_keyboard_alone(desk):
    from hotline.calls.models import Call

    keys = Keys(desk)
    desk.goto("/desk/")
    # The place box has the focus on arrival; type where the caller lives.
    # Chromium applies autofocus when it next renders, which may be after "load".
    desk.wait_for_function("document.activeElement.id === 'id_where'")
    keys.type("Bodø")
    desk.wait_for_selector(".live__status strong:text('Bodø')")
    # A topic chip, ticked with Space: the results follow.
    tab_to(keys, "input[name=topic][value=voldtekt]")
    keys.press("Space")
    desk.wait_for_url("**topic=voldtekt**")
    assert desk.locator("input[name=topic][value=voldtekt]").is_checked()
    # On to the first result's phone number.
    first = desk.locator("ol.hits > li").first
    first.locator(".hit__name:text('Krisesenteret i Bodø')").wait_for()
    tab_to(keys, "ol.hits > li:first-child a.phone")
    assert desk.evaluate("document.activeElement.textContent") == "75 55 55 55"
    phone_keys = keys.count

    # Alt+K, shown beside the panel's heading, goes to "Start call"; Enter starts it.
    assert "Alt+K" in desk.locator("#call-panel-heading").inner_text()
    keys.press("Alt+K")
    assert focused(desk).startswith("button Start samtale"), focused(desk)
    keys.press("Enter")
    desk.wait_for_selector("#call-panel form.call-form")
    assert focus_settles_in(desk, "#call-panel"), focused(desk)
    # The call starts with the search's place and topic.
    call = Call.objects.get()
    assert (call.municipality.name, [t.code for t in call.topics.all()]) == ("Bodø", ["voldtekt"])
    # The results are drawn again with the call open; the focus stays in the panel.
    desk.locator("ol.hits form[action$='/referrals/']").first.wait_for()
    assert focus_settles_in(desk, "#call-panel")

    # Alt+K again: back to the result the operator was on, drawn again meanwhile, to its
    # new "Add as referral".
    keys.press("Alt+K")
    refer = "ol.hits > li:first-child form[action$='/referrals/'] button"
    assert focus_settles_in(desk, refer), focused(desk)
    tab_to(keys, refer)  # no key: it has the focus
    keys.press("Enter")
    desk.locator("#call-panel .call-referrals:has-text('Krisesenteret i Bodø')").wait_for()
    assert [service.name for service in call.referrals.all()] == ["Krisesenteret i Bodø"]
    # The focus stays on the card, on what its button has become.
    assert focus_settles_in(desk, "ol.hits > li:first-child .tag--open"), focused(desk)

    # The categories closing needs (the channel is preset to phone). Alt+K goes to the
    # first one unanswered; a radio group is one Tab, and Space picks its first answer.
    keys.press("Alt+K")
    assert focus_settles_in(desk, "#call-panel input[name=caller_role]"), focused(desk)
    for name, value in (
        ("caller_role", "utsatt"),
        ("outcome", "referred"),
        ("unmet_reason", "none"),
    ):
        tab_to(keys, f"#call-panel input[name={name}][value={value}]")
        # Marked, to wait for the panel the autosave draws again ("networkidle" does not
        # wait for it): a Tab pressed while it is swapped in lost the focus.
        desk.evaluate("document.getElementById('call-panel').dataset.drawn = 'before'")
        keys.press("Space")
        # Autosaved, and the panel drawn again around the focused answer.
        desk.locator("#call-panel:not([data-drawn])").wait_for()
        desk.locator(f"#call-panel input[name={name}][value={value}]:checked").wait_for()
        assert focus_settles_in(desk, f"#call-panel input[name={name}]"), focused(desk)
    tab_to(keys, "#call-panel button[formaction$='/close/']")
    keys.press("Enter")
    desk.wait_for_selector("#call-panel form[action$='/start/']")
    assert desk.locator(".message:has-text('anonymt')").count() == 1

    call = Call.objects.get()
    assert not call.is_open
    assert (call.caller_role, call.outcome, call.unmet_reason) == ("utsatt", "referred", "none")
    assert call.municipality.name == "Bodø"
    assert [service.name for service in call.referrals.all()] == ["Krisesenteret i Bodø"]
    assert keys.count <= MAX_KEYS, f"{keys.count} keys ({phone_keys} to the number)"


def test_a_refused_close_stays_on_the_desk_with_the_focus_on_the_first_error(desk):
    keys = Keys(desk)
    desk.goto(SEARCH)
    desk.click("#call-panel form[action$='/start/'] button[type=submit]")
    desk.wait_for_selector("#call-panel form.call-form")
    # A call two minutes old (the timer's start is this tab's, never the server's).
    desk.evaluate("sessionStorage.setItem('hotline-call-started', String(Date.now() - 125000))")
    desk.locator("#call-timer:text-matches('^2:0')").wait_for()
    desk.focus("#call-close")
    keys.press("Enter")
    desk.locator("#call-panel .error-summary").wait_for()
    assert desk.url.endswith(SEARCH)  # still the desk, with its search
    assert focus_settles_in(desk, "#call-panel input[name=caller_role]"), focused(desk)
    described = desk.evaluate(
        "() => document.getElementById("
        "document.activeElement.getAttribute('aria-describedby')).textContent"
    )
    assert described == "Velg hvem som ringer."
    assert desk.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"
    # The timer runs on from where it was.
    desk.wait_for_timeout(1100)
    assert desk.locator("#call-timer").inner_text().startswith("2:0")
    assert desk.locator("ol.hits > li").count() == 2
