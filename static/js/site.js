/* OSCE Portal: what a script adds to pages that work without one (issue 19).
   - The phone's "Menu" link and the listing's "Filter (n)" link become buttons that open and
     close their panel (without a script they open it as the page's target).
   - The menus close on Escape, giving the focus back to their opener, and on a click elsewhere.
   - The filter panel updates the results as the visitor ticks: the listing's own address is
     fetched and its results swapped in, and the address bar shows the canonical address the
     server answered from. Nothing is stored in the browser.
   - A long list of options can be narrowed by typing. */
(function () {
  "use strict";
  // The panels below open by class from now on, no longer as the page's target.
  document.documentElement.classList.add("has-script");

  /* --- a link that opens a panel, made a button ------------------------------------------- */
  function disclosure(opener, panel, onOpen, firstTime) {
    opener.setAttribute("role", "button");
    opener.setAttribute("aria-expanded", panel.classList.contains("is-open") ? "true" : "false");
    const api = {
      isOpen: () => panel.classList.contains("is-open"),
      open() {
        panel.classList.add("is-open");
        opener.setAttribute("aria-expanded", "true");
        if (onOpen) onOpen();
      },
      close(giveFocusBack) {
        panel.classList.remove("is-open");
        opener.setAttribute("aria-expanded", "false");
        // A panel opened as the page's target (before the script ran) closes as well.
        if (window.location.hash === "#" + panel.id) {
          history.replaceState(history.state, "", window.location.pathname + window.location.search);
        }
        if (giveFocusBack) opener.focus();
      },
    };
    if (firstTime && window.location.hash === "#" + panel.id) api.open();
    opener.addEventListener("click", (event) => {
      event.preventDefault();
      if (api.isOpen()) api.close(false);
      else api.open();
    });
    opener.addEventListener("keydown", (event) => {
      // A link answers Enter; a button answers Space too.
      if (event.key === " ") {
        event.preventDefault();
        opener.click();
      }
    });
    return api;
  }

  /* --- the main menu ---------------------------------------------------------------------- */
  const nav = document.getElementById("main-nav");
  const menuToggle = document.querySelector(".menu-toggle");
  const menu = nav && menuToggle ? disclosure(menuToggle, nav, null, true) : null;
  const narrow = window.matchMedia("(max-width: 47.99rem)");

  function openMenus() {
    return Array.from(document.querySelectorAll(".menu-disclosure[open]"));
  }

  if (nav) {
    nav.querySelectorAll(".menu-close").forEach((link) => {
      link.addEventListener("click", (event) => {
        if (!menu) return;
        event.preventDefault();
        menu.close(true);
      });
    });
  }

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const details = openMenus();
    if (details.length) {
      details.forEach((each) => { each.open = false; });
      const summary = details[0].querySelector("summary");
      if (summary) summary.focus();
      event.preventDefault();
      return;
    }
    if (menu && menu.isOpen() && narrow.matches) {
      menu.close(true);
      event.preventDefault();
    }
  });

  document.addEventListener("click", (event) => {
    openMenus().forEach((each) => {
      if (!each.contains(event.target)) each.open = false;
    });
    if (menu && menu.isOpen() && !nav.contains(event.target) && !menuToggle.contains(event.target)) {
      menu.close(false);
    }
  });

  /* --- the filter panel --------------------------------------------------------------------- */
  const form = document.getElementById("filter-form");
  if (!form) return;

  function filterToggle() {
    return document.querySelector(".filter-toggle");
  }

  let panel = null;
  function wireToggle() {
    const toggle = filterToggle();
    if (!toggle || toggle.dataset.wired) return;
    toggle.dataset.wired = "1";
    panel = disclosure(toggle, form, () => {
      form.scrollIntoView({ block: "start" });
      // The panel's heading, not its first box: a phone would open its keyboard.
      const heading = form.querySelector(".filter-heading");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus({ preventScroll: true });
      }
    }, panel === null);
  }
  wireToggle();

  form.querySelectorAll(".filter-close").forEach((link) => {
    link.addEventListener("click", (event) => {
      if (!panel) return;
      event.preventDefault();
      panel.close(true);
    });
  });

  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && panel && panel.isOpen()) panel.close(true);
  });

  /* Narrowing a long list by typing. */
  form.querySelectorAll("[data-find-in]").forEach((box) => {
    box.parentElement.hidden = false;
    const fieldset = box.closest("fieldset");
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();
    });
    box.addEventListener("input", () => {
      const words = box.value.trim().toLocaleLowerCase();
      const more = fieldset.querySelector(".more-options");
      if (more && words) more.open = true;
      fieldset.querySelectorAll(".options > li").forEach((item) => {
        const text = item.textContent.toLocaleLowerCase();
        item.hidden = Boolean(words) && !text.includes(words);
      });
    });
  });

  /* Results as the visitor ticks. */
  const resultsSelector = form.dataset.liveResults;
  const status = form.querySelector(".filter-status");
  if (!resultsSelector || !window.fetch || !window.DOMParser) return;
  let latest = 0;
  // Back and Forward between the addresses of the ticks show each one's results.
  history.replaceState({ listing: true }, "");

  function addressOf() {
    const params = new URLSearchParams();
    new FormData(form).forEach((value, name) => {
      if (typeof value === "string" && value.trim() !== "") params.append(name, value);
    });
    const query = params.toString();
    return form.action + (query ? "?" + query : "");
  }

  function swap(html) {
    const page = new DOMParser().parseFromString(html, "text/html");
    const fresh = page.querySelector(resultsSelector);
    const current = document.querySelector(resultsSelector);
    if (!fresh || !current) return false;
    current.innerHTML = fresh.innerHTML;
    document.title = page.title;
    // The counts beside the options, and whether each can still be chosen.
    page.querySelectorAll("#filter-form input[type=checkbox]").forEach((input) => {
      const mine = document.getElementById(input.id);
      if (!mine) return;
      mine.disabled = input.disabled && !mine.checked;
      const count = input.parentElement.querySelector("label .count");
      const myCount = mine.parentElement.querySelector("label .count");
      if (count && myCount) myCount.innerHTML = count.innerHTML;
      mine.parentElement.classList.toggle("disabled", mine.disabled);
    });
    const canonical = page.querySelector("link[rel=canonical]");
    const mine = document.querySelector("link[rel=canonical]");
    if (canonical && mine) mine.href = canonical.href;
    const summary = page.getElementById("result-summary");
    if (status && summary) status.textContent = summary.textContent.trim();
    wireToggle();
    return true;
  }

  function update(address, push) {
    const ticket = ++latest;
    return fetch(address, { credentials: "omit", headers: { Accept: "text/html" } })
      .then((response) => response.text().then((html) => ({ response, html })))
      .then(({ response, html }) => {
        if (ticket !== latest) return false;  // a later tick has been asked for already
        if (!swap(html)) throw new Error("no results in the answer");
        const shown = response.url || address;
        if (push && shown !== window.location.href) history.pushState({ listing: true }, "", shown);
        return true;
      });
  }

  form.addEventListener("change", (event) => {
    if (event.target.matches("[data-find-in]")) return;
    update(addressOf(), true).catch(() => form.submit());
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const phone = panel && panel.isOpen();
    update(addressOf(), true)
      .then(() => {
        if (phone) panel.close(false);
        const heading = document.getElementById("result-summary") ||
          document.getElementById("results-heading");
        if (heading) {
          heading.setAttribute("tabindex", "-1");
          heading.focus();
        }
      })
      .catch(() => form.submit());
  });

  window.addEventListener("popstate", (event) => {
    if (event.state && event.state.listing) window.location.reload();
  });
})();
