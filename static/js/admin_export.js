// The admin export's "Select all" box ticks or clears every column, as django-import-export's inline handler
// would: the CSP refuses inline handlers, so it is wired up here.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.getElementById("select-all-toggle");
  if (!toggle) return;
  const boxes = () => document.querySelectorAll('.selectable-field-export-row input[type="checkbox"]');
  toggle.addEventListener("change", () => {
    for (const box of boxes()) box.checked = toggle.checked;
  });
});
