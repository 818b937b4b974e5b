// The console's only script (served as a file: the CSP allows no inline script). Draws the hourly
// delivered / failed series with uPlot from each chart element's data attributes.
/* global uPlot, document */
(function () {
  "use strict";
  var HOUR = 3600;

  function numbers(text) {
    return (text || "").split(",").filter(function (s) { return s !== ""; }).map(Number);
  }

  function draw(el, spark) {
    var delivered = numbers(el.dataset.delivered);
    var failed = numbers(el.dataset.failed);
    var end = el.dataset.end ? Math.floor(Number(el.dataset.end) / 1000) : Math.floor(Date.now() / 1000);
    var start = end - delivered.length * HOUR;
    var xs = delivered.map(function (_, i) { return start + i * HOUR; });
    var opts = spark
      ? {
          width: 120,
          height: 28,
          cursor: { show: false },
          legend: { show: false },
          // A margin below zero and above the peak, so a quiet day's zero line shows rather than sitting on the edge.
          scales: { x: { time: false }, y: { range: function (_u, _min, max) { return [-0.15 * Math.max(max, 1), 1.15 * Math.max(max, 1)]; } } },
          axes: [{ show: false }, { show: false }],
          series: [{}, { stroke: "#1d70b8", width: 1 }, { stroke: "#d4351c", width: 1 }],
        }
      : {
          width: Math.max(280, Math.min(520, el.clientWidth || 480)),
          height: 160,
          series: [
            {},
            { label: "delivered", stroke: "#1d70b8", width: 2 },
            { label: "failed attempts", stroke: "#d4351c", width: 2 },
          ],
          axes: [{}, { label: "per hour" }],
        };
    new uPlot(opts, [xs, delivered, failed], el);
  }

  function ready() {
    if (typeof uPlot === "undefined") return;
    document.querySelectorAll(".spark").forEach(function (el) { draw(el, true); });
    document.querySelectorAll(".chart").forEach(function (el) { draw(el, false); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
