// The collapsible menu on narrow screens. Loaded synchronously in <head> so that the page is marked as
// scripted before it is drawn: without JavaScript the menu simply stays open (see app.css).
document.documentElement.classList.add("js");
document.addEventListener("click", function (event) {
  var toggle = event.target.closest(".nav-toggle");
  if (!toggle) return;
  var open = toggle.getAttribute("aria-expanded") !== "true";
  toggle.setAttribute("aria-expanded", String(open));
  document.getElementById(toggle.getAttribute("aria-controls")).classList.toggle("open", open);
});
