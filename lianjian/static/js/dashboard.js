/* Statistics dashboard charts: data comes from the json_script element #chart-data. */
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("chart-data");
    if (!window.Chart || !source) return;
    var d = JSON.parse(source.textContent);
    var red = "#c8102e";
    function bar(id, labels, sets, opts) {
      var el = document.getElementById(id); if (!el) return;
      new window.Chart(el, {type: "bar", data: {labels: labels, datasets: sets},
        options: Object.assign({animation: false, plugins: {legend: {display: sets.length > 1}}}, opts || {})});
    }
    bar("chart-category", d.categories, [{label: String(d.year), data: d.category_counts, backgroundColor: red}], {indexAxis: "y"});
    bar("chart-month", d.months, [{label: String(d.year), data: d.month_counts, backgroundColor: red}]);
    bar("chart-children", d.children, [{label: String(d.year - 1), data: d.children_before, backgroundColor: "#98a2b3"},
      {label: String(d.year), data: d.children_now, backgroundColor: red}]);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
