#!/usr/bin/env bash
# Fetch and build the web app's front end into src/carelens/web/static/ (docs/web/front-end.md).
#
# The app serves every file itself: no CDN, no font service, no request to any host but its own. So the
# front end is built here, once, by a developer with npm, and the result is committed; Node is needed
# neither at run time nor by the tests. What it fetches, from the npm registry, into a throwaway folder:
#
#   govuk-frontend (latest)   Sass compiled to one CSS file, without GDS Transport; its ES module JS
#   htmx.org@2                htmx.min.js
#   vega@6, vega-lite@6,      their minified browser builds (vega-embed draws a chart's Vega-Lite spec)
#   vega-embed@7
#   sass (dart-sass)          the compiler, for this build only
#
# Run it again to move to newer versions; then check the versions in static/vendor/README.md, look at a page
# and run `uv run --frozen pytest -q tests/web/test_frontend.py`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
STATIC="$ROOT/src/carelens/web/static"
SOURCES="$ROOT/src/carelens/web/static_src"
VENDOR="$STATIC/vendor"

command -v npm >/dev/null || { echo "vendor_frontend.sh needs npm (Node.js) to build; the app itself does not" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm init --yes >/dev/null
# --ignore-scripts: nothing a package ships runs here (sass's optional file watcher only wants to compile itself)
npm install --no-audit --no-fund --ignore-scripts --loglevel=error \
  govuk-frontend@latest "htmx.org@2" "vega@6" "vega-lite@6" "vega-embed@7" sass@latest
M="$WORK/node_modules"
version() { node -p "require('$M/$1/package.json').version"; }
licence() { node -p "require('$M/$1/package.json').license"; }

# --- a clean vendor folder: only what this script puts there ------------------------------------------------
rm -rf "$VENDOR"
mkdir -p "$VENDOR"/{govuk-frontend/images,htmx,vega,vega-lite,vega-embed} "$STATIC/carelens"

# --- GOV.UK Frontend ----------------------------------------------------------------------------------------
# The Sass settings (static_src/govuk-frontend.scss) turn GDS Transport off: that typeface is licensed for
# GOV.UK alone, and a council's service is not on GOV.UK. Images are looked for beside the CSS (images/).
SASS=("$M/.bin/sass" --load-path="$M" --style=compressed --no-source-map --quiet-deps)
"${SASS[@]}" "$SOURCES/govuk-frontend.scss" "$VENDOR/govuk-frontend/govuk-frontend.min.css"
"${SASS[@]}" "$SOURCES/carelens.scss" "$STATIC/carelens/carelens.css"
GOVUK="$M/govuk-frontend/dist/govuk"
# only the images the compiled CSS names (no fonts, no GOV.UK favicons: the crown is GOV.UK's own)
for image in $(grep -o 'url("\?images/[^")]*' "$VENDOR/govuk-frontend/govuk-frontend.min.css" | sed 's/^url("\?images\///' | sort -u); do
  cp "$GOVUK/assets/images/$image" "$VENDOR/govuk-frontend/images/"
done
# the npm package has no licence file; this is the repository's LICENSE.txt (MIT)
cat > "$VENDOR/govuk-frontend/LICENSE" <<'EOF'
The MIT License (MIT)

Copyright (c) 2018 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
EOF

# --- htmx, Vega, Vega-Lite, vega-embed: the minified builds and their licences -------------------------------
# The source-map comment is dropped: the .map files are not shipped, and a browser's developer tools would ask
# for them.
strip_map() { sed -e 's|//# sourceMappingURL=[^ ]*$||' "$1" > "$2"; }
strip_map "$M/htmx.org/dist/htmx.min.js" "$VENDOR/htmx/htmx.min.js"
cp "$M/htmx.org/LICENSE" "$VENDOR/htmx/LICENSE"
strip_map "$M/vega/build/vega.min.js" "$VENDOR/vega/vega.min.js"
strip_map "$M/vega-lite/build/vega-lite.min.js" "$VENDOR/vega-lite/vega-lite.min.js"
strip_map "$M/vega-embed/build/vega-embed.min.js" "$VENDOR/vega-embed/vega-embed.min.js"
strip_map "$GOVUK/govuk-frontend.min.js" "$VENDOR/govuk-frontend/govuk-frontend.min.js"
for p in vega vega-lite vega-embed; do cp "$M/$p/LICENSE" "$VENDOR/$p/LICENSE"; done

# --- what is here, and how it came -------------------------------------------------------------------------
cat > "$VENDOR/README.md" <<EOF
# Vendored front end

Built by \`scripts/vendor_frontend.sh\` on $(date -u +%Y-%m-%d) from the npm registry; do not edit these files,
rebuild them. The app serves them itself (WhiteNoise), so a page asks no other host for anything
(docs/web/front-end.md).

| Package | Version | Licence | Files here |
| ------- | ------- | ------- | ---------- |
| [govuk-frontend](https://www.npmjs.com/package/govuk-frontend) | $(version govuk-frontend) | $(licence govuk-frontend) | \`govuk-frontend/govuk-frontend.min.css\` (compiled from \`static_src/govuk-frontend.scss\`: no GDS Transport, a system font stack), \`govuk-frontend.min.js\` (ES module), \`images/\` (those the CSS names) |
| [htmx.org](https://www.npmjs.com/package/htmx.org) | $(version htmx.org) | $(licence htmx.org) | \`htmx/htmx.min.js\` |
| [vega](https://www.npmjs.com/package/vega) | $(version vega) | $(licence vega) | \`vega/vega.min.js\` |
| [vega-lite](https://www.npmjs.com/package/vega-lite) | $(version vega-lite) | $(licence vega-lite) | \`vega-lite/vega-lite.min.js\` |
| [vega-embed](https://www.npmjs.com/package/vega-embed) | $(version vega-embed) | $(licence vega-embed) | \`vega-embed/vega-embed.min.js\` (includes vega-interpreter, which draws without \`eval\`) |

Built with [sass](https://www.npmjs.com/package/sass) (dart-sass) $(version sass); \`static/carelens/carelens.css\`,
CareLens's own styles, is compiled from \`static_src/carelens.scss\` in the same run. Each folder has the package's
licence (\`LICENSE\`); GOV.UK Frontend's npm package ships none, so its \`LICENSE\` is the MIT licence of its
repository. Source maps are left out.

Fonts: none. GOV.UK Frontend's typeface, GDS Transport, may be used only on GOV.UK, so the CSS is compiled with
\`\$govuk-include-default-font-face: false\` and the system fonts of the reader's computer.

To rebuild (needs npm and access to the npm registry):

\`\`\`bash
bash scripts/vendor_frontend.sh
uv run --frozen pytest -q tests/web/test_frontend.py
\`\`\`

SHA-256 of each file:

\`\`\`
$(cd "$STATIC" && find vendor carelens/carelens.css -type f ! -name README.md | sort | xargs sha256sum)
\`\`\`
EOF
echo "vendored into $VENDOR:"
(cd "$VENDOR" && find . -type f | sort | xargs du -h)
