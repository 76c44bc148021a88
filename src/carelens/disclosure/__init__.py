"""Disclosure control for published tables: primary and secondary suppression of small counts.

Build the cells of each table (:func:`one_way_table`, :func:`two_way_table`), link tables that share
a figure by giving it one key (:func:`linked`, :meth:`Cells.renamed`), then :func:`suppress` them
together; :meth:`Suppression.shown` says what the report may print. :func:`rounded` is the
alternative for a table that stands alone. The method is described in
``docs/report/disclosure.md``.
"""

from carelens.disclosure.cells import (
           TOTAL,
           Cells,
           Count,
           Key,
           Relation,
           linked,
           one_way_table,
           two_way_table,
)
from carelens.disclosure.derived import dependent
from carelens.disclosure.rounding import rounded
from carelens.disclosure.suppression import DEFAULT_THRESHOLD, Suppression, suppress

__all__ = ["DEFAULT_THRESHOLD", "TOTAL", "Cells", "Count", "Key", "Relation", "Suppression", "dependent", "linked",
           "one_way_table", "rounded", "suppress", "two_way_table"]
