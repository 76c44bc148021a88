"""Demand, cost and workforce forecast of children in care (issue 17; docs/forecast/).

The care population is a multi-state process: each child in care is in an age band and a placement category and has
been in care for some time; each day a child may move to another placement category or leave care (by adoption, a
special guardianship order, a return home, reaching 18, or otherwise), children age across band boundaries, and
children enter care at rates by age per child of the resident population.

- :mod:`.states`: the age bands, placement categories, durations and ways of leaving care the model is made of.
- :mod:`.histories`: each child's time in care from the child-journey store, as spells in one category
  (:data:`.states.SPELLS_SCHEMA`), and the resident population by age (:data:`.states.POPULATION_SCHEMA`).
- :mod:`.placement_categories` and :mod:`.exits`: which category each 903 placement is in, and which exit each
  903 reason for leaving care is (data tables, docs/forecast/states.md).
- :mod:`.population`: the resident children by age from the store, the published ONS estimates or a user's file.
- :mod:`.costs`: the weekly unit cost of each category, with inflation (shipped defaults in ``data/``).
- :mod:`.workforce`: the children in care teams' caseloads now, and the social-worker FTE a projection needs.
- :mod:`.rates`: entry, transition and exit rates estimated from the spells (events over days at risk).
- :mod:`.simulate`: the stochastic projection (NumPy, vectorised over runs).
- :mod:`.intervals`: the median, mean and 50/80/95% intervals over the runs, as every output states them.
- :mod:`.spend`: what a projection costs by financial year, and a new in-house home's places.
- :mod:`.scenarios`: a manager's scenarios (YAML) as rate changes and new homes.
- :mod:`.comparison`: the baseline and the scenarios projected alike and compared run by run.
- :mod:`.outputs`: a forecast written as a workbook, CSV or Parquet.
"""
