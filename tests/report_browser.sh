#!/usr/bin/env bash
# report.html as a user sees it: headless Chromium renders it (DOM dump + full-page screenshot);
# the test fails on a blank or broken page (console errors, a missing section, an empty plot) or on
# any reference that would leave the file (external src/href/url/@import). Then `kupffer report`
# regenerates the same bytes, and Debian's MultiQC picks kupffer's files up with no configuration.
# Usage: report_browser.sh KUPFFER OUT WORK   (OUT: a `kupffer run` output folder; exit 77 = skipped)
set -euo pipefail
kupffer=$1 out=$2 work=$3
report=$out/report.html
rm -rf "$work" && mkdir -p "$work"
[ -s "$report" ] || { echo "FAIL: $report missing"; exit 1; }
size=$(stat -c %s "$report")
[ "$size" -lt 5000000 ] || { echo "FAIL: report is $size bytes (limit 5 MB)"; exit 1; }

# Nothing may be fetched: no external source, link, style import or font.
if grep -nEo '(src|href)="(https?:|//)[^"]*"|url\([^)#]*\)|@import' "$report" | grep -v 'xmlns' | head -5 | grep .; then
  echo "FAIL: external references in the report"; exit 1
fi

chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$chrome" ]; then
  flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --user-data-dir="$work/profile"
         --enable-logging=stderr --v=0)
  timeout 120 "$chrome" "${flags[@]}" --dump-dom "file://$report" >"$work/dom.html" 2>"$work/console.log" || true
  timeout 120 "$chrome" "${flags[@]}" --hide-scrollbars --window-size=1400,9000 --screenshot="$work/report.png" "file://$report" \
    >/dev/null 2>>"$work/console.log" || true
  if grep -E 'CONSOLE|Uncaught|Failed to load resource' "$work/console.log"; then echo "FAIL: page errors in the console"; exit 1; fi
  for id in answer alerts samples cell-types composition qc maturation cytokines markers parameters; do
    grep -q "<section id=\"$id\"" "$work/dom.html" || { echo "FAIL: section $id missing from the rendered page"; exit 1; }
  done
  # Every figure holds a drawing: points, lines, areas or bars.
  /usr/bin/python3 - "$work/dom.html" <<'PY'
import re, sys
html = open(sys.argv[1]).read()
figures = re.findall(r"<figure>(.*?)</figure>", html, re.S)
if len(figures) < 10:
    sys.exit(f"FAIL: {len(figures)} figures rendered, expected at least 10")
for i, f in enumerate(figures):
    marks = len(re.findall(r"<(circle|polyline|polygon|rect|line)\b", f))
    if "<svg" not in f or marks < 5:
        sys.exit(f"FAIL: figure {i} is empty ({marks} marks): {re.sub('<[^>]+>', ' ', f)[:200]}")
print(f"ok: {len(figures)} figures drawn")
PY
  png=$(stat -c %s "$work/report.png" 2>/dev/null || echo 0)
  [ "$png" -gt 100000 ] || { echo "FAIL: screenshot is $png bytes: a blank page"; exit 1; }
  echo "ok: rendered in Chromium, no console errors, screenshot $png bytes ($work/report.png)"
else
  echo "skip: chromium not installed"
fi

# The same outputs give the same report.
"$kupffer" report "$out" --html "$work/again.html" --multiqc "$work/mqc_again" >/dev/null
cmp "$report" "$work/again.html" || { echo "FAIL: kupffer report gave different bytes than kupffer run"; exit 1; }
diff -r "$out/multiqc" "$work/mqc_again" >/dev/null || { echo "FAIL: MultiQC files differ when regenerated"; exit 1; }
echo "ok: kupffer report regenerates identical bytes"

if command -v multiqc >/dev/null; then
  (cd "$work" && timeout 300 multiqc -q -f -o mqc "$out" >/dev/null 2>&1) || { echo "FAIL: multiqc failed"; exit 1; }
  stats=$work/mqc/multiqc_data/multiqc_general_stats.txt
  [ -s "$stats" ] || { echo "FAIL: no general statistics"; exit 1; }
  for s in $(ls "$out/samples"); do grep -q "^$s" "$stats" || { echo "FAIL: sample $s not in MultiQC's general statistics"; exit 1; }; done
  grep -qi "cells" "$stats" || { echo "FAIL: kupffer's columns not in MultiQC's general statistics"; head -2 "$stats"; exit 1; }
  grep -q "kupffer_barcode_ranks" "$work/mqc/multiqc_report.html" || { echo "FAIL: the barcode-rank plot is not in MultiQC's report"; exit 1; }
  echo "ok: MultiQC shows kupffer's general statistics for every sample and the barcode-rank plot"
else
  echo "skip: multiqc not installed"
fi
