// Draws each chart of the page (templates/components/chart.html) from its Vega-Lite specification, with vega-embed.
//
// The page works without this: each chart's text alternative and data table are there already. When a page has a
// chart, the Vega libraries are fetched from this server (their URLs are on this script's element), the chart is
// drawn as SVG, and its table is folded behind "Show the data". Charts in fragments htmx swaps in are drawn too.
// Nothing here needs eval or inline styles: vega-embed runs Vega's expression interpreter (ast), and adds no
// <style> of its own (static/carelens/carelens.css styles its tooltip).
(function () {
  "use strict";

  var script = document.currentScript;
  var libraries = [script.dataset.vega, script.dataset.vegaLite, script.dataset.vegaEmbed];
  var loaded = null;

  function load(src) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement("script");
      element.src = src;
      element.onload = resolve;
      element.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(element);
    });
  }

  // vega first, then vega-lite (which needs it), then vega-embed (which needs both); once per page
  function vegaEmbed() {
    if (loaded === null) {
      loaded = libraries.reduce(function (previous, src) {
        return previous.then(function () { return load(src); });
      }, Promise.resolve()).then(function () { return window.vegaEmbed; });
    }
    return loaded;
  }

  // The figure's caption already says the chart's title above the drawing: the drawing keeps only its subtitle
  // (why there are no control limits, say), or no title at all.
  function withoutRepeatedTitle(spec, chart) {
    var caption = chart.querySelector(".app-chart__caption");
    var title = spec.title;
    var text = title && typeof title === "object" ? title.text : title;
    if (caption && text === caption.textContent.trim()) {
      if (title && typeof title === "object" && title.subtitle) {
        spec.title = Object.assign({}, title, { text: "" });
      } else {
        delete spec.title;
      }
    }
    return spec;
  }

  // On a narrow screen a chart is laid out again at the width there is, its legend beneath it, rather than drawn
  // at the report's width and scaled down until its labels are too small to read.
  var AXES_AND_PADDING = 90; // px the y axis, its title and the padding take beside the plot
  var NARROW = 600; // px: below this the legend goes beneath the plot

  function fittedTo(spec, chart) {
    var available = chart.clientWidth;
    if (typeof spec.width !== "number" || !available || available >= spec.width + AXES_AND_PADDING) {
      return spec;
    }
    spec.width = Math.max(160, available - AXES_AND_PADDING);
    if (available < NARROW) {
      spec.config = Object.assign({}, spec.config);
          spec.config.legend = Object.assign({}, spec.config.legend, {
        orient: "bottom", direction: "vertical", columns: 1, labelFontSize: 13, symbolSize: 80
      });
      spec.usermeta = Object.assign({}, spec.usermeta, { carelensNarrow: true });
      // and its text at a size a phone's reader can read, the drawing no longer scaled down
      spec.config.axis = Object.assign({}, spec.config.axis, { labelFontSize: 13, titleFontSize: 13 });
    }
    return spec;
  }

  function drawOne(embed, chart) {
    var source = document.getElementById(chart.dataset.chartSpec);
    var drawing = chart.querySelector(".app-chart__drawing");
    if (!source || !drawing) {
      return Promise.resolve();
    }
    chart.dataset.chartState = "drawing";
    var options = {
      renderer: "svg", actions: false, defaultStyle: false, ast: true,
      tooltip: { disableDefaultStyle: true }
    };
    var spec = fittedTo(withoutRepeatedTitle(JSON.parse(source.textContent), chart), chart);
    if (spec.usermeta && spec.usermeta.carelensNarrow) {
      // the legends one under another, not side by side: Vega's legend layout, set on the compiled Vega spec
      options.patch = function (vega) {
        vega.config = Object.assign({}, vega.config);
        vega.config.legend = Object.assign({}, vega.config.legend, {
          layout: { bottom: { anchor: "start", direction: "vertical", margin: 6 } }
        });
        return vega;
      };
    }
    return embed(drawing, spec, options).then(function () {
      chart.dataset.chartState = "drawn";
      var data = chart.querySelector("details.app-chart__data");
      if (data) {
        data.open = false;
      }
    }, function (error) {
      // the table stays open: the reader still has the figures
      chart.dataset.chartState = "failed";
      console.error("chart " + chart.id + " not drawn:", error);
    });
  }

  function draw(scope) {
    var charts = Array.prototype.filter.call(scope.querySelectorAll("[data-chart-spec]"), function (chart) {
      return !chart.dataset.chartState;
    });
    if (scope.matches && scope.matches("[data-chart-spec]") && !scope.dataset.chartState) {
      charts.push(scope);
    }
    if (charts.length === 0) {
      return;
    }
    vegaEmbed().then(function (embed) {
      charts.forEach(function (chart) { drawOne(embed, chart); });
    }, function (error) {
      console.error(error);
    });
  }

  draw(document);
  document.addEventListener("htmx:load", function (event) { draw(event.target); });
})();
