// Names for the form controls Datasette's own templates leave unnamed (the table page's filter and sort rows,
// CodeMirror's hidden textarea) and for the chart menus vega-embed draws later: a screen reader says what each is.
const NAMES = [
  ["select[name^=_filter_column]", "Filter: column"],
  ["select[name^=_filter_op]", "Filter: how to compare"],
  ["input[name^=_filter_value]", "Filter: value"],
  ["select[name=_sort]", "Sort by"],
  [".cm-editor textarea, .CodeMirror textarea, textarea[autocorrect=off]", "SQL query"],
  ["details[title] > summary", "Save the chart as an image"],
];

function nameControls(root) {
  for (const [selector, name] of NAMES) {
    for (const element of root.querySelectorAll(selector)) {
      if (!element.labels?.length && !element.getAttribute("aria-label")) element.setAttribute("aria-label", name);
    }
  }
}

nameControls(document);
new MutationObserver(() => nameControls(document)).observe(document.body, {childList: true, subtree: true});

// A table that scrolls sideways in its own box takes keyboard focus, so the arrow keys can scroll it.
function focusableScrollBoxes() {
  for (const box of document.querySelectorAll(".table-scroll, .table-wrapper, section.content table")) {
    if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
    else if (box.getAttribute("tabindex") === "0") box.removeAttribute("tabindex");
  }
}

focusableScrollBoxes();
window.addEventListener("resize", focusableScrollBoxes);
