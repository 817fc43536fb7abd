/* lianjian — page behaviours without inline scripts (the Content-Security-Policy forbids them).
 * Markup opts in with data attributes:
 *   <select data-autosubmit>   submits its form when changed (e.g. the year of a dashboard)
 *   <button data-print>        prints the page
 */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });
  document.addEventListener("click", function (event) {
    var el = event.target && event.target.closest ? event.target.closest("[data-print]") : null;
    if (el) { event.preventDefault(); window.print(); }
    // A click outside an open menu (the person's, or “more”) closes it.
    document.querySelectorAll(".nav .account-toggle:checked").forEach(function (toggle) {
      if (!(event.target.closest && event.target.closest(".account, .more") === toggle.parentNode)) {
        toggle.checked = false;
      }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll(".nav .account-toggle:checked").forEach(function (toggle) { toggle.checked = false; });
  });
})();
