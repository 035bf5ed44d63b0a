/* The bar charts of the data-quality page. Each chart reads its numbers from the json_script
   block named in data-quality-chart; the same numbers are in the table under it. Charts are drawn
   again when htmx swaps the results (store filter, pages of the list). */
(function () {
  "use strict";

  function draw(element) {
    if (!window.echarts || element.dataset.chartReady) {
      return;
    }
    var source = document.getElementById(element.dataset.qualityChart);
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var horizontal = element.dataset.orientation === "horizontal";
    var categories = { type: "category", data: data.labels, axisLabel: { hideOverlap: true } };
    var values = { type: "value", minInterval: 1 };
    if (data.max) {
      values.max = data.max;
    }
    if (horizontal) {
      categories.inverse = true;
    }
    var chart = window.echarts.init(element);
    chart.setOption({
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: horizontal ? values : categories,
      yAxis: horizontal ? categories : values,
      series: [{ name: data.series, type: "bar", data: data.values }],
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
    element.dataset.chartReady = "1";
  }

  function drawAll() {
    document.querySelectorAll("[data-quality-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
  document.body.addEventListener("htmx:afterSwap", drawAll);
})();
