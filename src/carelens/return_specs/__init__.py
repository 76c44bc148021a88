"""The DfE's specifications of the statutory returns, shared by the readers and the writers.

:mod:`~carelens.return_specs.ssda903` holds the SSDA903 tables, columns and code lists of every
collection year; :mod:`~carelens.return_specs.cin_census` the CIN census XML schemas
(``cin_census_xsd/``). The readers (:mod:`carelens.ingest`) and the writers
(:mod:`carelens.returns`) both depend on them, so neither depends on the other
(docs/decisions/012-packages-depend-downward.md). Not to be confused with
:mod:`carelens.ingest.formats`, which tells which kind of file an input is.
"""
