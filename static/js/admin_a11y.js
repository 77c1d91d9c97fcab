// Accessibility fixes for widgets that Django admin and modeltranslation build in the
// browser (see hotline/admin_a11y.py). They are built after page load (the filter
// widgets on window "load", the tabs on DOM ready, more tabs when an inline is added),
// so a MutationObserver applies the fixes to whatever appears.
(function () {
  "use strict";

  const translate = typeof window.gettext === "function" ? window.gettext : (s) => s;

  function fixSearchIcons(root) {
    // An aria-label on a plain <span> is ignored by screen readers; role=img makes it
    // an image whose name is the label.
    root.querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach((icon) => {
      icon.setAttribute("role", "img");
    });
  }

  function fixLanguageSwitch(root) {
    const select = root.querySelector("#modeltranslation-main-switch:not([aria-label])");
    if (select) {
      select.setAttribute("aria-label", translate("Language of the translated fields"));
    }
  }

  function fixTabs(root) {
    // jQuery UI makes the <li> the focusable tab and leaves a link inside it, which
    // is a second, nested, focus stop. A link without href is not focusable, so the
    // attribute goes. jQuery UI still reads the anchor's href and hash properties on
    // every switch to tell a panel on the page from one to fetch (without them it
    // would load the page into the panel), so they stay as properties of the element.
    root.querySelectorAll("li[role=tab] > a.ui-tabs-anchor[href]").forEach((anchor) => {
      const { href, hash } = anchor;
      Object.defineProperty(anchor, "href", { value: href, configurable: true });
      Object.defineProperty(anchor, "hash", { value: hash, configurable: true });
      anchor.removeAttribute("href");
    });
  }

  function fixAutocompletes(root) {
    // select2 names its box after the chosen value only, so an empty one (a new
    // service's organisation) has no name: the field's own label is added to it.
    root.querySelectorAll("select.admin-autocomplete[id]").forEach((select) => {
      const container = select.nextElementSibling;
      const selection = container && container.querySelector(".select2-selection[aria-labelledby]");
      const label = document.querySelector(`label[for="${select.id}"]`);
      if (!selection || !label) {
        return;
      }
      label.id = label.id || `${select.id}-label`;
      const ids = selection.getAttribute("aria-labelledby").split(" ");
      if (!ids.includes(label.id)) {
        selection.setAttribute("aria-labelledby", [label.id, ...ids].join(" "));
      }
      // Inside it, the chosen value is a read-only textbox named by its title, which
      // is empty until a value is chosen.
      const rendered = container.querySelector(".select2-selection__rendered[role=textbox]");
      if (rendered && !rendered.hasAttribute("aria-labelledby")) {
        rendered.setAttribute("aria-labelledby", `${label.id} ${rendered.id}`.trim());
      }
    });
  }

  function fixAll() {
    fixAutocompletes(document);
    fixSearchIcons(document);
    fixLanguageSwitch(document);
    fixTabs(document);
  }

  function start() {
    fixAll();
    new MutationObserver(fixAll).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
