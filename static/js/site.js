// The site's own behaviour, loaded synchronously in <head> so that the page is marked as scripted before it
// is drawn (without JavaScript the menu simply stays open, see app.css).
document.documentElement.classList.add("js");

// The collapsible menu on narrow screens.
document.addEventListener("click", function (event) {
  var toggle = event.target.closest(".nav-toggle");
  if (!toggle) return;
  var open = toggle.getAttribute("aria-expanded") !== "true";
  toggle.setAttribute("aria-expanded", String(open));
  document.getElementById(toggle.getAttribute("aria-controls")).classList.toggle("open", open);
});

// A table wider than the screen scrolls sideways: keyboard users reach it with Tab to scroll it too.
function focusableScrollingTables() {
  document.querySelectorAll("main table").forEach(function (table) {
    if (table.scrollWidth > table.clientWidth + 1) {
      table.setAttribute("tabindex", "0");
    } else {
      table.removeAttribute("tabindex");
    }
  });
}
document.addEventListener("DOMContentLoaded", focusableScrollingTables);
document.addEventListener("htmx:afterSettle", focusableScrollingTables);
window.addEventListener("resize", focusableScrollingTables);
