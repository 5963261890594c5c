// The matching pages' charts: supply vs industry shares per sector (bars), D per year or per alliance. The
// data comes from the page's <script type="application/json"> (the CSP allows no inline script); every text
// shown is translated by the server.
(function () {
  "use strict";

  function numbers(values) {
    return values.map(function (value) { return value === null ? null : parseFloat(value); });
  }

  function bars(canvas, labels, datasets, max) {
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 scales: { y: { beginAtZero: true, max: max } } }
    });
  }

  function draw() {
    var source = document.getElementById("matching-data");
    if (!source || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    var shares = document.getElementById("shares-chart");
    if (shares) {
      bars(shares, data.labels, [
        { label: data.supply_label, data: numbers(data.supply), backgroundColor: "#0b5cad" },
        { label: data.industry_label, data: numbers(data.industry), backgroundColor: "#d9822b" }
      ]);
    }
    var trend = document.getElementById("trend-chart");
    if (trend && data.trend) {
      new window.Chart(trend, {
        type: "line",
        data: { labels: data.trend.labels, datasets: [{ label: data.trend.label, data: numbers(data.trend.d),
                                                         borderColor: "#2e8b57", backgroundColor: "#2e8b57" }] },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
                   scales: { y: { beginAtZero: true, max: 1 } } }
      });
    }
    var alliances = document.getElementById("alliances-chart");
    if (alliances && data.alliances) {
      bars(alliances, data.alliances.labels, [{ label: data.alliances.label, data: numbers(data.alliances.d),
                                                 backgroundColor: "#2e8b57" }], 1);
    }
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
