// The city's participation chart: per alliance, the share of units active and the lead units' shares (bars, per
// cent). The data comes from the page's <script type="application/json"> (the CSP allows no inline script); every
// text shown is translated by the server; the table below the chart says the same.
(function () {
  "use strict";

  var COLOURS = ["#2e8b57", "#d9822b", "#0b5cad"];

  function draw() {
    var source = document.getElementById("participation-data");
    var canvas = document.getElementById("participation-chart");
    if (!source || !canvas || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, index) {
          return { label: series.label, data: series.values, backgroundColor: COLOURS[index % COLOURS.length] };
        })
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 scales: { y: { beginAtZero: true, max: 100 } } }
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
