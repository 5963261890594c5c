// The official's dashboard: a line chart of each alliance's score per cycle and a bar chart of the
// grades of the latest cycle. The data comes from the page's <script type="application/json">
// (the CSP allows no inline script); every text shown is translated by the server.
(function () {
  "use strict";
  var GRADE_COLOURS = ["#2e8b57", "#0b5cad", "#d9822b", "#b3261e"];
  var LEGEND_MAX = 12;

  function colour(index, count) {
    return "hsl(" + Math.round((index * 360) / Math.max(count, 1)) + ", 65%, 42%)";
  }

  function drawTrend(canvas, data) {
    var count = data.series.length;
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.cycles,
        datasets: data.series.map(function (series, index) {
          return {
            label: series.label,
            data: series.data,
            borderColor: colour(index, count),
            backgroundColor: colour(index, count),
            spanGaps: true,
            tension: 0.2
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: { y: { min: 0, max: 100, title: { display: true, text: data.text.score } } },
        plugins: { legend: { display: count <= LEGEND_MAX } }
      }
    });
  }

  function drawGrades(canvas, data) {
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.grades.labels,
        datasets: [{ label: data.text.alliances, data: data.grades.counts, backgroundColor: GRADE_COLOURS }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  function start() {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var trend = document.getElementById("trend-chart");
    var grades = document.getElementById("grade-chart");
    if (trend && data.cycles.length) {
      drawTrend(trend, data);
    }
    if (grades) {
      drawGrades(grades, data);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
