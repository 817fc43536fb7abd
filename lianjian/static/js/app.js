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
    // A click outside the open account menu closes it.
    var toggle = document.getElementById("account-toggle");
    if (toggle && toggle.checked && !(event.target.closest && event.target.closest(".account"))) {
      toggle.checked = false;
    }
  });
  document.addEventListener("keydown", function (event) {
    var toggle = document.getElementById("account-toggle");
    if (event.key === "Escape" && toggle && toggle.checked) { toggle.checked = false; }
  });
})();
