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

  document.addEventListener("htmx:pushedIntoHistory", syncSearchBox);
  document.addEventListener("htmx:historyRestore", () => { syncSearchBox(); enhance(document); });

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
    document.addEventListener("DOMContentLoaded", () => enhance(document));
  } else {
    enhance(document);
  }
})();
