"""Published DfE and ONS figures to benchmark an authority against: its statistical neighbours, its
region and England, and the comparisons of an authority with them.

``build`` turns a folder of DfE downloads into one compact DuckDB file shipped with the package;
``figures_file`` reads it; ``comparison``, ``ratio_table`` and ``computed_vs_published`` compare an
authority (its published figures, or those computed from a store) with the others.

The package is named for what it holds, the published figures, so that it does not share a name
with ``benchmarks/``, the speed scripts (decision 015). The command-line verbs keep the sector's
word: ``carelens benchmark`` and ``carelens benchmarks build``.
"""
