/* Station usage charts (check-ins by day and by hour): data comes from the json_script #usage-data. */
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("usage-data");
    if (!window.Chart || !source) return;
    var d = JSON.parse(source.textContent);
    var red = "#c8102e";
    function bar(id, labels, values, label) {
      var el = document.getElementById(id); if (!el) return;
      new window.Chart(el, {type: "bar", data: {labels: labels, datasets: [{label: label, data: values, backgroundColor: red}]},
        options: {animation: false, maintainAspectRatio: false, plugins: {legend: {display: false}},
                  scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}});
    }
    bar("chart-days", d.days, d.day_counts, source.dataset.dayLabel || "");
    bar("chart-hours", d.hours, d.hour_counts, source.dataset.hourLabel || "");
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
