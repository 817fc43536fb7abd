/* Street reports (随手拍): phone geolocation, the chosen category's questions, and the
   nearby-duplicates step (open reports of the same category nearby, fetched as HTML). */
(function () {
  "use strict";

  function init() {
    var form = document.querySelector("[data-testid=report-form]");
    if (!form) return;
    var category = form.querySelector("select[name=category]");
    var lat = form.querySelector("input[name=lat]");
    var lng = form.querySelector("input[name=lng]");
    var status = form.querySelector("[data-geo-status]");
    var nearby = document.getElementById("nearby");
    var button = form.querySelector("[data-geolocate]");
    var timer = null;

    function showQuestions() {
      var boxes = form.querySelectorAll("[data-questions]");
      for (var i = 0; i < boxes.length; i++) {
        boxes[i].hidden = boxes[i].getAttribute("data-questions") !== category.value;
      }
    }

    function loadNearby() {
      if (!nearby || !category.value || !lat.value || !lng.value) {
        if (nearby) nearby.innerHTML = "";
        return;
      }
      var url = form.getAttribute("data-nearby-url") + "?category=" + encodeURIComponent(category.value) +
        "&lat=" + encodeURIComponent(lat.value) + "&lng=" + encodeURIComponent(lng.value);
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { nearby.innerHTML = html; })
        .catch(function () { nearby.innerHTML = ""; });
    }

    function later() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(loadNearby, 300);
    }

    if (button) {
      if (!("geolocation" in navigator)) {
        button.hidden = true;
      }
      button.addEventListener("click", function () {
        status.textContent = button.getAttribute("data-locating") || "…";
        navigator.geolocation.getCurrentPosition(function (pos) {
          lat.value = pos.coords.latitude.toFixed(6);
          lng.value = pos.coords.longitude.toFixed(6);
          status.textContent = "✓ " + lat.value + ", " + lng.value;
          loadNearby();
        }, function (err) {
          status.textContent = button.getAttribute("data-failed") || String(err.message || err);
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    }
    category.addEventListener("change", function () { showQuestions(); loadNearby(); });
    lat.addEventListener("input", later);
    lng.addEventListener("input", later);
    showQuestions();
    loadNearby();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
