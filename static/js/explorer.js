// The explorer's own behaviour, layered on pages that already work without JavaScript:
// keyboard shortcuts, copy buttons, and keeping the search box and screen readers in step with htmx swaps.
(function () {
  "use strict";

  const announcer = () => document.querySelector("[data-announcer]");

  function announce(message) {
    const region = announcer();
    if (!region) return;
    // Clearing first makes screen readers repeat a message that has not changed.
    region.textContent = "";
    window.setTimeout(() => { region.textContent = message; }, 50);
  }

  function searchBox() {
    return document.querySelector("[data-search-primary]") || document.querySelector("[data-search]");
  }

  function isTyping(target) {
    return target instanceof HTMLElement &&
      (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
  }

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "/" && !isTyping(event.target)) {
      const box = searchBox();
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      }
    } else if (event.key === "Escape" && event.target instanceof HTMLInputElement && event.target.type === "search") {
      const box = event.target;
      if (box.value !== "") {
        event.preventDefault();
        box.value = "";
        // Live forms listen for input, so clearing the box also clears the results' filter.
        box.dispatchEvent(new Event("input", { bubbles: true }));
        announce("Search cleared");
      }
    }
  });

  async function copy(button) {
    const text = button.dataset.copyUrl
      ? new URL(button.dataset.copyUrl, document.baseURI).href
      : button.dataset.copyText;
    const original = button.dataset.originalLabel || button.textContent;
    button.dataset.originalLabel = original;
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "✓ " + (button.dataset.copyLabel || "Copied");
      button.classList.add("is-done");
      announce(button.dataset.copyLabel || "Copied");
    } catch (error) {
      button.textContent = "Copy failed: select the text instead";
      button.classList.add("is-failed");
      announce("Copying failed");
    }
    window.clearTimeout(Number(button.dataset.resetTimer));
    button.dataset.resetTimer = String(window.setTimeout(() => {
      button.textContent = original;
      button.classList.remove("is-done", "is-failed");
    }, 2000));
  }

  function enhance(root) {
    if (!(navigator.clipboard && window.isSecureContext)) return;
    root.querySelectorAll("[data-copy-group][hidden]").forEach((group) => { group.hidden = false; });
  }

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest(".copy-button");
    if (button) copy(button);
  });

  // Links and history restores change the URL without the box knowing: make the box say what the URL says,
  // except while someone is typing in it.
  function syncSearchBox() {
    const box = document.querySelector("[data-search-primary]");
    if (!box || document.activeElement === box) return;
    box.value = new URLSearchParams(window.location.search).get(box.name) || "";
  }

  // Empty fields add nothing to a search, so they stay out of the URL, as in the server's own links.
  document.addEventListener("htmx:configRequest", (event) => {
    const data = event.detail.formData;
    if (!data || event.detail.verb !== "get") return;
    for (const key of new Set(data.keys())) {
      if (data.getAll(key).every((value) => value === "")) data.delete(key);
    }
  });

  // On a phone the facets fold behind a "Filters" button (with the active count): the first result then
  // shows above the fold. Without the script, the button stays hidden and the facets stay open.
  let filtersOpen = false;

  function foldFilters(root) {
    root.querySelectorAll(".filters-button").forEach((button) => {
      const layout = button.closest(".list-layout");
      if (!layout) return;
      button.hidden = false;
      button.setAttribute("aria-expanded", String(filtersOpen));
      layout.classList.toggle("facets-folded", !filtersOpen);
    });
  }

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest(".filters-button");
    if (!button) return;
    filtersOpen = !filtersOpen;
    foldFilters(document);
  });

  document.addEventListener("htmx:afterSettle", () => foldFilters(document));

  // Typing is not history: while someone types in a live search box, each answer replaces the current entry,
  // so that Back leaves the search instead of stepping through half-typed words. A submitted search (Enter,
  // the button) and a facet toggle still add an entry.
  document.addEventListener("htmx:beforeHistoryUpdate", (event) => {
    const config = event.detail.requestConfig;
    const typed = config && config.triggeringEvent && config.triggeringEvent.type === "input";
    if (typed && config.elt && config.elt.matches("form.search-form")) event.detail.history.type = "replace";
  });

  document.addEventListener("htmx:pushedIntoHistory", syncSearchBox);
  document.addEventListener("htmx:replacedInHistory", syncSearchBox);
  document.addEventListener("htmx:historyRestore", () => { syncSearchBox(); enhance(document); foldFilters(document); });

  document.addEventListener("htmx:afterSettle", () => {
    const results = document.getElementById("results");
    if (!results) return;
    if (results.dataset.announce) announce(results.dataset.announce);
    // A removed chip or facet takes the focus with it: carry on from the results instead of the page's top.
    if (document.activeElement === document.body) {
      const heading = document.getElementById("results-heading");
      if (heading) heading.focus({ preventScroll: true });
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => { enhance(document); foldFilters(document); });
  } else {
    enhance(document);
    foldFilters(document);
  }
})();
