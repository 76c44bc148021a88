"""The HTML report's style sheet, written inline into the page so the file needs nothing else.

It follows the GOV.UK Design System's patterns — its type scale (19px body, 48/36/24px headings,
smaller on narrow screens), its colours (#0b0c0c text, #1d70b8 links, #505a5f secondary text,
#b1b4b6 borders, the yellow #ffdd00 focus state with a black underline), its table, inset-text,
tag and contents-list looks — written here from those published values, on the system's own sans-serif
fonts: a report opened on a council laptop must not fetch a web font. Print styles drop the
navigation aids and keep figures and tables whole on a page.
"""

STYLE = """
:root {
  --text: #0b0c0c; --secondary: #505a5f; --link: #1d70b8; --link-hover: #003078; --visited: #4c2c92;
  --focus: #ffdd00; --border: #b1b4b6; --light: #f3f2f1; --brand: #1d70b8; --red: #d4351c;
}
* { box-sizing: border-box; }
html { background: #fff; -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; color: var(--text); background: #fff;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 1rem; line-height: 1.25; -webkit-font-smoothing: antialiased;
}
a { color: var(--link); text-decoration-thickness: max(1px, .0625rem); text-underline-offset: .15em; }
a:visited { color: var(--visited); }
a:hover { color: var(--link-hover); text-decoration-thickness: max(3px, .1875rem); }
a:focus, summary:focus {
  outline: 3px solid transparent; color: var(--text); background-color: var(--focus);
  box-shadow: 0 -2px var(--focus), 0 4px var(--text); text-decoration: none;
}
.width-container { max-width: 960px; margin: 0 15px; }
@media (min-width: 40.0625em) { .width-container { margin: 0 30px; } }
@media (min-width: 1020px) { .width-container { margin: 0 auto; } }

.visually-hidden {
  position: absolute !important; width: 1px !important; height: 1px !important; margin: 0 !important;
  padding: 0 !important; overflow: hidden !important; clip: rect(0 0 0 0) !important;
  clip-path: inset(50%) !important; border: 0 !important; white-space: nowrap !important;
}
.skip-link {
  position: absolute; left: 0; top: 0; padding: 10px 15px; font-size: 1rem; text-decoration: underline;
  background: var(--focus); color: var(--text); transform: translateY(-120%);
}
.skip-link:focus { transform: none; z-index: 10; }

.masthead { background: var(--text); color: #fff; border-bottom: 10px solid var(--brand); }
.masthead .width-container {
  display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: 4px 20px;
  padding: 14px 0 12px;
}
.masthead__authority { font-size: 1.5rem; font-weight: 700; line-height: 1.25; }
.masthead__as-at { font-size: 1rem; }

main { display: block; padding: 30px 0 40px; }
@media (min-width: 40.0625em) { main { padding: 40px 0 50px; } }

.caption-l { display: block; color: var(--secondary); font-size: 1.125rem; margin: 0 0 5px; }
h1 { font-size: 2rem; line-height: 1.09; font-weight: 700; margin: 0 0 30px; }
h2 { font-size: 1.5rem; line-height: 1.04; font-weight: 700; margin: 0 0 20px; }
h3.measure-heading { font-size: 1.1875rem; line-height: 1.3; font-weight: 700; margin: 30px 0 10px; }
p, li, dd, dt { font-size: 1rem; line-height: 1.25; }
p { margin: 0 0 15px; }
.lede { font-size: 1.125rem; line-height: 1.33; }
.secondary { color: var(--secondary); }
@media (min-width: 40.0625em) {
  .caption-l { font-size: 1.5rem; }
  h1 { font-size: 3rem; line-height: 1.04; margin-bottom: 50px; }
  h2 { font-size: 2.25rem; line-height: 1.11; margin-bottom: 30px; }
  p, li, dd, dt, .warning-text { font-size: 1.1875rem; line-height: 1.32; }
  p { margin-bottom: 20px; }
  .lede { font-size: 1.5rem; line-height: 1.25; }
}

.summary-list { margin: 0 0 30px; border-top: 1px solid var(--border); }
.summary-list div { display: flex; flex-wrap: wrap; border-bottom: 1px solid var(--border); padding: 8px 0; }
.summary-list dt { font-weight: 700; flex: 0 0 13em; margin: 0; }
.summary-list dd { margin: 0; flex: 1 1 20em; }

.warning-text { position: relative; padding: 10px 0 10px 50px; margin: 0 0 30px; font-weight: 700; }
.warning-text__icon {
  position: absolute; left: 0; top: 50%; margin-top: -17px; width: 35px; height: 35px; border-radius: 50%;
  background: var(--text); color: #fff; font-size: 1.75rem; line-height: 35px; text-align: center; font-weight: 700;
}

.contents { margin: 0 0 40px; }
.contents h2 { font-size: 1.1875rem; margin-bottom: 10px; }
.contents ol { list-style: none; margin: 0; padding: 0; }
.contents li { position: relative; padding: 0 0 0 25px; margin: 0 0 5px; }
.contents li::before { content: "\\2014"; position: absolute; left: 0; width: 20px; color: var(--secondary); }

.report-section { margin: 0 0 40px; padding-top: 30px; border-top: 2px solid var(--brand); }
.report-section h2 .section-number { color: var(--secondary); font-weight: 400; }

.paragraph--edited { padding: 15px; margin: 0 0 20px; border-left: 10px solid var(--border); }
.paragraph--stale { border-left-color: var(--red); background: #fdf2f0; }
.paragraph--edited p:last-child { margin-bottom: 0; }
.paragraph__flag { font-size: 1rem !important; color: var(--secondary); }
.tag {
  display: inline-block; padding: 2px 8px 3px; margin-right: 6px; font-size: 1rem; font-weight: 700;
  color: #0c2d4a; background: #bbd4ea;
}
.tag--red { color: #2a0b06; background: #f4cdc6; }

.table-wrap { overflow-x: auto; margin: 0 0 30px; }
.table-wrap:focus { outline: 3px solid var(--focus); box-shadow: inset 0 0 0 4px var(--text); }
table { width: 100%; border-collapse: collapse; border-spacing: 0; margin: 0; }
caption {
  text-align: left; font-weight: 700; font-size: 1.125rem; line-height: 1.25; margin-bottom: 15px; color: var(--text);
}
th, td {
  padding: 10px 20px 10px 0; border-bottom: 1px solid var(--border); text-align: left; vertical-align: top;
  font-size: 1rem; line-height: 1.25;
}
th:last-child, td:last-child { padding-right: 0; }
thead th { font-weight: 700; vertical-align: bottom; }
tbody th { font-weight: 400; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
abbr[title] { text-decoration: underline dotted; cursor: help; }
.table-notes { margin: -20px 0 30px; padding: 0; list-style: none; }
.table-notes li { font-size: 1rem; color: var(--secondary); margin: 0 0 5px; }
@media (min-width: 40.0625em) {
  caption { font-size: 1.5rem; margin-bottom: 20px; }
  th, td { font-size: 1.1875rem; line-height: 1.32; }
}

.chart-block { margin: 0 0 40px; }
figure.chart { margin: 0; }
figure.chart svg { display: block; max-width: 100%; height: auto; margin: 0 0 10px; }
figure.chart figcaption { font-size: 1rem; color: var(--secondary); margin: 0 0 15px; }
details { margin: 0 0 20px; }
summary {
  display: inline-block; position: relative; padding-left: 25px; color: var(--link); cursor: pointer;
  font-size: 1rem;
}
summary::-webkit-details-marker { display: none; }
summary::before {
  content: ""; position: absolute; top: .2em; left: 0; border-style: solid; border-color: transparent;
  border-width: 7px 0 7px 12.124px; border-left-color: currentColor;
}
details[open] > summary::before {
  border-width: 12.124px 7px 0 7px; border-color: currentColor transparent transparent;
}
summary span { text-decoration: underline; text-underline-offset: .15em; }
summary:hover { color: var(--link-hover); }
summary:focus span { text-decoration: none; }
.details__text { padding: 15px 0 0 20px; margin-top: 10px; border-left: 5px solid var(--border); }
.details__text .table-wrap { margin-bottom: 10px; }
.details__text table { width: auto; min-width: 60%; }
.details__text caption { font-size: 1.1875rem; }

.definitions dt { font-weight: 700; margin: 20px 0 5px; }
.definitions dd { margin: 0 0 5px; }
.definitions .unit { color: var(--secondary); }

.site-footer { background: var(--light); border-top: 1px solid #a1acb2; padding: 25px 0 30px; color: var(--text); }
.site-footer p { font-size: 1rem; margin: 0 0 5px; }

@media print {
  @page { margin: 18mm 15mm; }
  body { font-size: 11pt; }
  .skip-link, .contents, summary::before { display: none; }
  .masthead { background: none; color: var(--text); border-bottom: 4px solid var(--text); }
  .width-container { margin: 0; max-width: none; }
  main { padding: 10mm 0 0; }
  h1 { font-size: 24pt; margin-bottom: 8mm; }
  h2 { font-size: 18pt; break-after: avoid; page-break-after: avoid; }
  p, li, dd, dt, th, td { font-size: 11pt; }
  caption { font-size: 12pt; break-after: avoid; }
  a { color: var(--text); text-decoration: none; }
  .report-section { break-before: auto; border-top-width: 1px; }
  figure.chart, table, .paragraph--edited { break-inside: avoid; page-break-inside: avoid; }
  .table-wrap { overflow: visible; }
  details:not([open]) { display: none; }
  summary { color: var(--text); padding-left: 0; }
  .site-footer { background: none; border-top: 1px solid var(--text); }
}
"""
