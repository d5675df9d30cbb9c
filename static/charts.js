// Draws each [data-vega-lite] element's chart, a Vega-Lite spec the page carries, to a <canvas> with the vega,
// vega-lite and vega-embed that datasette-dashboards ships: no network needed.
for (const element of document.querySelectorAll("[data-vega-lite]")) {
  vegaEmbed(element, JSON.parse(element.dataset.vegaLite), {renderer: "canvas", actions: false});
}
