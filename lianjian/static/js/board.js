/* Meeting claim board (big screen): polls with htmx, shows a banner while the connection is down. */
(function () {
  "use strict";
  function conn() { return document.getElementById("conn"); }
  function down() { var c = conn(); if (c) c.classList.add("show"); }
  function up() { var c = conn(); if (c) c.classList.remove("show"); }
  document.addEventListener("htmx:sendError", down);
  document.addEventListener("htmx:timeout", down);
  document.addEventListener("htmx:responseError", down);
  document.addEventListener("htmx:afterRequest", function (e) { if (e.detail.successful) up(); });
  document.addEventListener("htmx:configRequest", function (e) {
    e.detail.timeout = 4000;
    // Send the version on screen so the server can answer 204 when nothing changed.
    var v = document.getElementById("board-version");
    e.detail.parameters.v = v ? v.dataset.version : "";
  });
  // 204 means "nothing changed": keep what is shown.
  document.addEventListener("htmx:beforeSwap", function (e) { if (e.detail.xhr.status === 204) e.detail.shouldSwap = false; });
})();
