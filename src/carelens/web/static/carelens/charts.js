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
    return embed(drawing, withoutRepeatedTitle(JSON.parse(source.textContent), chart), options).then(function () {
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
