"""Render one page of the demo's monthly report as the README's picture (docs/report/report-page.png).

    bash scripts/demo.sh && uv run python scripts/report_page_image.py

Finds the page where section 4 (child protection plans) starts in out/demo/report/*-internal.pdf, draws it
with poppler's pdftoppm at 60 dpi and keeps it small (a few hundred kilobytes at most).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADING = "4 Child protection plans"


def main() -> None:
    pdfs = sorted((ROOT / "out" / "demo" / "report").glob("*-internal.pdf"))
    if not pdfs:
        sys.exit("no demo report: run `bash scripts/demo.sh` first")
    pdf = pdfs[-1]
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    for page in range(3, pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        if HEADING in " ".join(text.split()) and "Contents" not in text:
            break
    else:
        sys.exit(f"no page starts {HEADING!r} in {pdf}")
    out = ROOT / "docs" / "report" / "report-page"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(out)], check=True)
    print(f"page {page} of {pdf.name} -> {out.with_suffix('.png').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
