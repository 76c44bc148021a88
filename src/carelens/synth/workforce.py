"""Teams, workers with turnover, and the allocation of children's cases to workers.

Each service (assessment, safeguarding, children in care, early help) has enough
case-holding posts for its average caseload at the profile's caseload target.
Every post is held by a sequence of workers (leavers are replaced; some are
agency staff). A case phase is allocated to a post; when the post holder
leaves, the child gets the next holder — which is how children come to have
three or more social workers in a year.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from carelens.synth.records import NO_DATE, choice

SERVICES = {
    "ASSESSMENT": "Assessment and Planning",
    "SAFEGUARDING": "Safeguarding",
    "CHILDREN_IN_CARE": "Children in Care",
    "EARLY_HELP": "Early Help",
}
POSTS_PER_TEAM = 7
REALLOCATION_PER_YEAR = 0.35  # reallocations for other reasons (team changes, workload)


def build_workforce(sim, phases: pl.DataFrame) -> None:
    """Teams, workers and allocations for the case phases collected during the simulation."""
    rng = sim.rng
    wf = sim.profile.workforce
    start, end = sim.start_day, sim.end_day
    span_days = end - start + 1
    phases = phases.with_columns(
        stop=pl.when(pl.col("end") == NO_DATE).then(end + 1).otherwise(pl.col("end")))
    phases = phases.filter(pl.col("stop") > pl.col("start"))
    team_rows, worker_rows, alloc_chunks = [], [], []
    next_worker = 0
    for service, label in SERVICES.items():
        ph = phases.filter(pl.col("service") == service)
        if len(ph) == 0:
            continue
        case_days = (ph["stop"] - ph["start"]).sum()
        posts = max(1, int(np.ceil(case_days / span_days / wf["caseload_target"])))
        teams = max(1, int(np.ceil(posts / POSTS_PER_TEAM)))
        team_ids = [f"{sim.la_code}-{service[:3]}{i + 1}" for i in range(teams)]
        for i, tid in enumerate(team_ids):
            team_rows.append({"team_id": tid, "name": f"{label} {i + 1}", "service": service})
        # the holders of each post over time
        tenure_mean = 365.0 / max(wf["annual_turnover"], 0.01)
        per_post = int(np.ceil(span_days / max(tenure_mean * 0.3, 60))) + 2
        tenures = np.maximum(60, rng.exponential(tenure_mean, (posts, per_post))).astype(np.int64)
        offset = rng.integers(0, int(tenure_mean), posts)
        starts = start - offset[:, None] + np.concatenate([np.zeros((posts, 1), np.int64),
                                                           np.cumsum(tenures, axis=1)[:, :-1]], axis=1)
        ends = starts + tenures - 1
        # an allocation over a phase is held by post holders in turn
        post = rng.integers(0, posts, len(ph))
        ids = np.arange(posts * per_post).reshape(posts, per_post) + next_worker
        next_worker += posts * per_post
        for pidx in range(posts):
            for k in range(per_post):
                if starts[pidx, k] > end:
                    continue
                worker_rows.append({
                    "worker_id": None, "n": int(ids[pidx, k]), "team_id": team_ids[pidx // POSTS_PER_TEAM],
                    "role": "EARLY_HELP_PRACTITIONER" if service == "EARLY_HELP" else
                    ("SENIOR_PRACTITIONER" if rng.random() < 0.2 else "SOCIAL_WORKER"),
                    "fte": 1.0 if rng.random() < 0.85 else 0.8, "agency": bool(rng.random() < wf["agency_share"]),
                    "start_date": int(starts[pidx, k]), "end_date": int(ends[pidx, k]) if ends[pidx, k] <= end
                    else int(NO_DATE)})
        s = ph["start"].to_numpy()
        stop = ph["stop"].to_numpy()
        # split each phase where its post changes hands, and at random reallocations
        flat_starts = starts[post]  # (n, per_post)
        change_points = np.where((flat_starts > s[:, None]) & (flat_starts < stop[:, None]), flat_starts, np.iinfo(np.int64).max)
        years = (stop - s) / 365.25
        extra = rng.poisson(REALLOCATION_PER_YEAR * years)
        extra = np.minimum(extra, 4)
        extra_points = np.full((len(ph), 4), np.iinfo(np.int64).max)
        for j in range(4):
            has = extra > j
            extra_points[has, j] = s[has] + 1 + (rng.random(has.sum()) * np.maximum(stop[has] - s[has] - 1, 1)).astype(np.int64)
        points = np.sort(np.concatenate([s[:, None], change_points, extra_points], axis=1), axis=1)
        valid = points != np.iinfo(np.int64).max
        seg_owner, seg_pos = np.nonzero(valid)
        seg_start = points[seg_owner, seg_pos]
        nxt = np.concatenate([points[:, 1:], np.full((len(ph), 1), np.iinfo(np.int64).max)], axis=1)
        seg_next = nxt[seg_owner, seg_pos]
        seg_end = np.minimum(seg_next, stop[seg_owner])
        keep = seg_end > seg_start
        seg_owner, seg_start, seg_end, seg_next = seg_owner[keep], seg_start[keep], seg_end[keep], seg_next[keep]
        is_extra = np.isin(seg_next, extra_points[seg_owner]) if len(seg_owner) else np.zeros(0, bool)
        # which holder of the post is in place on the segment's first day
        holder = (flat_starts[seg_owner] <= seg_start[:, None]).sum(axis=1) - 1
        holder = np.clip(holder, 0, per_post - 1)
        worker_n = ids[post[seg_owner], holder]
        last_seg = seg_end >= stop[seg_owner]
        phase_open = (ph["end"].to_numpy() == NO_DATE)[seg_owner]
        reason = np.where(last_seg, None,
                          np.where(is_extra, choice(rng, {"MANAGE": 0.3, "ORGRST": 0.3, "CHCHAN": 0.2, "OTHERS": 0.2},
                                                    len(seg_owner)), "LEFTRL"))
        # the case moving to another service at the end of a phase is a transfer in the process
        alloc_chunks.append(pl.DataFrame({
            "child_id": ph["child_id"].to_numpy()[seg_owner],
            "referral_id": pl.Series(ph["referral_id"].to_list(), dtype=pl.Utf8).gather(seg_owner),
            "worker_n": worker_n,
            "team_id": np.array(team_ids)[post[seg_owner] // POSTS_PER_TEAM],
            "start_date": seg_start,
            "end_date": np.where(last_seg & phase_open, NO_DATE, seg_end),
            "change_reason": pl.Series(reason.tolist(), dtype=pl.Utf8),
            "last_of_phase": last_seg,
        }))
    workers = pl.DataFrame(worker_rows)
    workers = workers.with_columns(worker_id=pl.format("{}W{}", pl.lit(sim.la_code), pl.col("n").cast(pl.Utf8).str.zfill(5)))
    allocations = pl.concat(alloc_chunks) if alloc_chunks else pl.DataFrame()
    if len(allocations):
        allocations = allocations.with_columns(
            worker_id=pl.format("{}W{}", pl.lit(sim.la_code), pl.col("worker_n").cast(pl.Utf8).str.zfill(5)))
        sim.records.add("allocations", allocation_id=sim.new_ids("J", len(allocations)),
                        child_id=allocations["child_id"].to_numpy(), worker_id=allocations["worker_id"].to_numpy(),
                        team_id=allocations["team_id"].to_numpy(),
                        referral_id=np.array(allocations["referral_id"].to_list(), dtype=object),
                        start_date=allocations["start_date"].to_numpy(), end_date=allocations["end_date"].to_numpy(),
                        change_reason=np.array(allocations["change_reason"].to_list(), dtype=object))
    sim.records.add("teams", team_id=np.array([t["team_id"] for t in team_rows]),
                    name=np.array([t["name"] for t in team_rows]), service=np.array([t["service"] for t in team_rows]))
    sim.records.add("workers", worker_id=workers["worker_id"].to_numpy(), team_id=workers["team_id"].to_numpy(),
                    role=workers["role"].to_numpy(), fte=workers["fte"].to_numpy(), agency=workers["agency"].to_numpy(),
                    start_date=workers["start_date"].to_numpy(), end_date=workers["end_date"].to_numpy())
