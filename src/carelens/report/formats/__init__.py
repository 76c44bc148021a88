"""The report's writers, one module per format: each lays out a :class:`carelens.report.document.Report`
and computes nothing (``html``: one self-contained accessible page; ``excel``: a workbook of every
table and chart series; the PDF is written with Typst)."""
