"""Run Social Finance's demand model (``cs-demand-model``) once, inside its own throwaway environment.

    python run_cs_demand_model.py ROOT REFERENCE_START REFERENCE_END FORECAST_START FORECAST_END COVERED_TO OUT.csv

This file is executed by the peer environment's interpreter (Python 3.10 or 3.11 with pandas 1.x), never
imported by CareLens: it may only use the standard library and what ``cs-demand-model`` installs.
``ROOT`` is laid out as the peer's file-system data store expects: one folder per collection year holding
that year's SSDA903 ``header.csv`` and ``episodes.csv``; COVERED_TO is the last day they tell about (on
days after the peer's latest event and up to it, nobody came or went). Dates are ISO (YYYY-MM-DD).

It fits the peer's rates over the reference window, projects the stock on FORECAST_START day by day to
FORECAST_END with the peer's standard configuration, and writes a tidy CSV: ``date``, ``peer_age_band``,
``peer_placement`` (the peer's own names), ``children`` (a fraction: the peer's projection is an expected
value). The first date is FORECAST_START itself, the stock the projection starts from. On stdout it prints
one JSON object with the timings and the dates the peer used.
"""

from __future__ import annotations

import csv
import json
import logging
import sys
import time
import warnings
from datetime import date


def main(argv: list[str]) -> None:
    root, *days, out = argv
    reference_start, reference_end, forecast_start, forecast_end, covered_to = map(date.fromisoformat, days)
    # the peer's pandas 1.x code raises FutureWarnings on every step; they say nothing about the result
    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)

    started = time.perf_counter()
    from cs_demand_model import (
        Config,
        DemandModellingDataContainer,
        ModelPredictor,
        PopulationStats,
        fs_datastore,
    )

    imported = time.perf_counter()
    config = Config()
    container = DemandModellingDataContainer(fs_datastore(root), config)
    stats = PopulationStats(container.enriched_view, config)
    data_end = container.end_date.date()
    if forecast_start > covered_to:
        # the peer would silently start from the stock on its last day of data, labelled as FORECAST_START
        raise SystemExit(f"forecast start {forecast_start} is after the returns' last day {covered_to}")
    predictor = ModelPredictor.from_model(stats, reference_start, reference_end, prediction_start=forecast_start)
    fitted = time.perf_counter()
    days = (forecast_end - forecast_start).days
    projection = predictor.predict(days)
    projected = time.perf_counter()

    not_in_care = config.PlacementCategories.NOT_IN_CARE.name
    start_stock = predictor.initial_population
    with open(out, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["date", "peer_age_band", "peer_placement", "children"])
        for (age_band, placement), children in start_stock.items():
            writer.writerow([forecast_start.isoformat(), age_band, placement, float(children)])
        for day, row in projection.iterrows():
            for state, children in row.items():
                # the peer keeps a child who leaves care as a state "(age band, NOT_IN_CARE)" that goes on
                # filling: a running count of leavers, not children in care, so it is left out
                if not state or state[1] == not_in_care:
                    continue
                writer.writerow([day.isoformat(), state[0], state[1], float(children)])
    print(json.dumps({
        "import_seconds": imported - started,
        "fit_seconds": fitted - imported,  # reading the files, cleaning episodes, stock and rates
        "project_seconds": projected - fitted,
        "days": days,
        "data_start": container.start_date.date().isoformat(),
        "data_end": data_end.isoformat(),
        "years_read": sorted({f.metadata.year for f in container.file_info if f.metadata.year}),
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
