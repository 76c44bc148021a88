"""The SSDA903 (children looked after) return: one authority's CSV files for one collection year.

Collection year ``Y`` runs from 1 April ``Y-1`` to 31 March ``Y``. The return is a
set of CSV files, one per DfE table, with the column names, column order and code
lists of the DfE specification for that year (``SSDA903_schema_2017.yml`` and its
yearly diffs, restated in :mod:`carelens.return_specs.ssda903`). Each file is derived
in a module of this package:

===============================================  ============================================
file (module deriving it)                        rows
===============================================  ============================================
``header.csv`` (:mod:`.header`)                  every child looked after at any time in the
                                                 year, plus care leavers in the OC3 cohort
``episodes.csv`` (:mod:`.episodes`)              every episode open at any time in the year
``uasc.csv`` (:mod:`.uasc`)                      looked-after children who were UASC during
                                                 the year
``reviews.csv`` (:mod:`.reviews`)                statutory reviews held in the year while
                                                 looked after
``oc2.csv`` (:mod:`.oc2`)                        children looked after continuously for 12
                                                 months
``oc3.csv`` (:mod:`.oc3`)                        care leavers with a 17th-21st birthday in
                                                 the year
``ad1.csv`` (:mod:`.adoption`)                   children adopted in the year
``placed_for_adoption.csv`` (:mod:`.adoption`)   adoption decisions in force during the year
``previous_permanence.csv``                      children who started a period of care in
(:mod:`.previous_permanence`)                    the year
``missing.csv`` (:mod:`.missing`)                missing / away-without-authorisation spells
                                                 in the year
``sw_episodes.csv`` (:mod:`.sw_episodes`)        social worker episodes during the year of
                                                 children looked after on 31 March (2024
                                                 onwards only)
===============================================  ============================================

Under them: :mod:`.source` (the authority's store tables for the year, and the tallies of
what was left out and what the DfE would query), :mod:`.cohort` (who is looked after in the
year, and the episodes as at 31 March), :mod:`.codes` (the code groups the rules turn on,
and :func:`year_recoding`), :mod:`.values` (how a date or flag is written). Over them:
:mod:`.build` (every table, checked by :mod:`.problems` against the specification) and
:mod:`.writing` (the files, all or none).

Every collection year from 2017 (the 2016/17 return) to 2026 is supported. Before 2024
there is no social worker table, so ten files are written instead of eleven. Where the
store holds a code that the year's list spells differently (the store keeps the newest
code, or the code that was valid when the event happened), it is recoded to the year's
code when the year's code has the same meaning or is the broader code it was split
from (:func:`year_recoding`); a code that cannot be recoded is a specification error.

The store is read *as at 31 March Y*: an episode, missing spell, allocation or
adoption-decision reversal that ended after that date is written as still open.
Who goes in each file and how every column is derived is described in
``docs/returns/ssda903.md``; the rules follow the DfE guidance as checked by the
sector's reference validator (Data to Insight's ``lac_validator``).

All files are written into a temporary directory next to ``out_dir`` and moved
into place only when every file has been written, so a failed run never leaves a
half-written return behind.
"""

from __future__ import annotations

from carelens.collection_years import COLLECTION_YEARS
from carelens.return_specs.ssda903 import FILES, columns, files, table_spec
from carelens.returns.ssda903.build import Ssda903Summary, build_ssda903
from carelens.returns.ssda903.codes import year_recoding
from carelens.returns.ssda903.problems import Ssda903DataError
from carelens.returns.ssda903.writing import write_ssda903

# the specification stays part of the writer's API (callers ask the writer which files it writes)
__all__ = ["FILES", "SUPPORTED_YEARS", "Ssda903DataError", "Ssda903Summary", "build_ssda903",
           "columns", "files", "table_spec", "write_ssda903", "year_recoding"]

SUPPORTED_YEARS = COLLECTION_YEARS
"""Collection years the writer supports: every collection year
(:mod:`carelens.collection_years`)."""
