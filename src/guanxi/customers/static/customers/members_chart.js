/* The "new members per day" bar chart of the dashboard. The numbers come from the
   json_script block named in data-chart-source; the same numbers are in the table next to it. */
(function () {
  "use strict";

  function draw(element) {
    if (!window.echarts || element.dataset.chartReady) {
      return;
    }
    var source = document.getElementById(element.dataset.chartSource);
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(element);
    chart.setOption({
      grid: { left: 32, right: 8, top: 16, bottom: 40 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.labels, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: data.series, type: "bar", data: data.values }],
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
    element.dataset.chartReady = "1";
  }

  function drawAll() {
    document.querySelectorAll("[data-chart-source]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
