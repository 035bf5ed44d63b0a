/* The charts of the analytics pages. Each chart reads its ECharts option from the json_script
   block named in data-analytics-chart; an option may carry "links", one URL per data point,
   followed when the point is clicked (the drill-down to the customers). The same numbers are in
   the table one click away. Charts are drawn again after htmx swaps and resized when their tab
   is shown. */
(function () {
  "use strict";

  function draw(element) {
    if (!window.echarts || element.dataset.chartReady) {
      return;
    }
    var source = document.getElementById(element.dataset.analyticsChart);
    if (!source) {
      return;
    }
    var option = JSON.parse(source.textContent);
    var links = option.links || null;
    delete option.links;
    var chart = window.echarts.init(element);
    chart.setOption(option);
    if (links) {
      element.style.cursor = "pointer";
      chart.on("click", function (params) {
        var url = links[params.dataIndex];
        if (url) {
          window.location.href = url;
        }
      });
    }
    window.addEventListener("resize", function () {
      chart.resize();
    });
    element.dataset.chartReady = "1";
  }

  function drawAll() {
    document.querySelectorAll("[data-analytics-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
  document.body.addEventListener("htmx:afterSwap", drawAll);
  document.addEventListener("shown.bs.tab", function (event) {
    var pane = document.querySelector(event.target.dataset.bsTarget);
    if (!pane || !window.echarts) {
      return;
    }
    pane.querySelectorAll("[data-analytics-chart]").forEach(function (element) {
      var chart = window.echarts.getInstanceByDom(element);
      if (chart) {
        chart.resize();
      }
    });
  });
})();
