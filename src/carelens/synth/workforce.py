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
MIN_ALLOCATION_DAYS = 3  # a worker holds a case for at least this long (903 rule SW09, 2025/26)
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
        never = np.iinfo(np.int64).max
        phase_start = ph["start"].to_numpy()
        phase_stop = ph["stop"].to_numpy()
        # 1. reallocations for other reasons cut a phase into pieces, each held by a different post
        years = (phase_stop - phase_start) / 365.25
        extra = np.minimum(rng.poisson(REALLOCATION_PER_YEAR * years), 4) if posts > 1 else np.zeros(len(ph), int)
        cuts = np.full((len(ph), 4), never)
        for j in range(4):
            has = extra > j
            span = np.maximum(phase_stop[has] - phase_start[has] - 1, 1)
            cuts[has, j] = phase_start[has] + 1 + (rng.random(has.sum()) * span).astype(np.int64)
        cuts = np.sort(cuts, axis=1)
        bounds = np.concatenate([phase_start[:, None], cuts], axis=1)
        valid = bounds != never
        piece_owner, piece_pos = np.nonzero(valid)
        piece_start = bounds[piece_owner, piece_pos]
        nxt = np.concatenate([bounds[:, 1:], np.full((len(ph), 1), never)], axis=1)[piece_owner, piece_pos]
        piece_stop = np.minimum(nxt, phase_stop[piece_owner])
        piece_realloc = nxt < phase_stop[piece_owner]  # the piece ends with a reallocation
        piece_post = (post[piece_owner] + piece_pos * (1 + rng.integers(0, max(posts - 1, 1), len(piece_pos)))) % posts
        keep = piece_stop > piece_start
        piece_owner, piece_start, piece_stop = piece_owner[keep], piece_start[keep], piece_stop[keep]
        piece_realloc, piece_post = piece_realloc[keep], piece_post[keep]
        # 2. within a piece, the case moves to the next holder of the post when a worker leaves
        flat_starts = starts[piece_post]  # (pieces, per_post)
        change = np.where((flat_starts > piece_start[:, None]) & (flat_starts < piece_stop[:, None]), flat_starts, never)
        points = np.sort(np.concatenate([piece_start[:, None], change], axis=1), axis=1)
        seg_piece, seg_pos = np.nonzero(points != never)
        seg_start = points[seg_piece, seg_pos]
        seg_next = np.concatenate([points[:, 1:], np.full((len(points), 1), never)], axis=1)[seg_piece, seg_pos]
        seg_end = np.minimum(seg_next, piece_stop[seg_piece])
        keep = seg_end > seg_start
        seg_piece, seg_start, seg_end = seg_piece[keep], seg_start[keep], seg_end[keep]
        seg_owner = piece_owner[seg_piece]
        holder = np.clip((flat_starts[seg_piece] <= seg_start[:, None]).sum(axis=1) - 1, 0, per_post - 1)
        worker_n = ids[piece_post[seg_piece], holder]
        end_of_piece = seg_end >= piece_stop[seg_piece]
        last_seg = seg_end >= phase_stop[seg_owner]
        phase_open = (ph["end"].to_numpy() == NO_DATE)[seg_owner]
        reason = np.where(last_seg, None,
                          np.where(end_of_piece & piece_realloc[seg_piece],
                                   choice(rng, {"MANAGE": 0.4, "ORGRST": 0.25, "CHCHAN": 0.1, "PCCHAN": 0.05,
                                                "ABSENC": 0.1, "OTHERS": 0.1}, len(seg_owner)), "LEFTRL"))
        post = piece_post[seg_piece]
        # the case moving to another service at the end of a phase is a transfer in the process
        alloc_chunks.append(pl.DataFrame({
            "child_id": ph["child_id"].to_numpy()[seg_owner],
            "referral_id": pl.Series(ph["referral_id"].to_list(), dtype=pl.Utf8).gather(seg_owner),
            "worker_n": worker_n,
            "team_id": np.array(team_ids)[post // POSTS_PER_TEAM],
            "start_date": seg_start,
            "end_date": np.where(last_seg & phase_open, NO_DATE, seg_end),
            "change_reason": pl.Series(reason.tolist(), dtype=pl.Utf8),
            "last_of_phase": last_seg,
        }))
    workers = pl.DataFrame(worker_rows)
    # registration numbers are unique across England: derive them from the authority number
    la = int(sim.la_code) if sim.la_code.isdigit() else 0
    workers = workers.with_columns(swe_registration=pl.when(pl.col("role") == "EARLY_HELP_PRACTITIONER")
                                   .then(None).otherwise(pl.format("SW{}{}", pl.lit(f"{la:03d}"),
                                                                   pl.col("n").cast(pl.Utf8).str.zfill(5))))
    workers = workers.with_columns(worker_id=pl.format("{}W{}", pl.lit(sim.la_code), pl.col("n").cast(pl.Utf8).str.zfill(5)))
    allocations = pl.concat(alloc_chunks) if alloc_chunks else pl.DataFrame()
    if len(allocations):
        # a case handed from one service to the next changes worker "as part of a standard process"
        allocations = allocations.sort("child_id", "start_date").with_columns(
            change_reason=pl.when(pl.col("change_reason").is_null() & pl.col("end_date").is_not_null()
                                  & (pl.col("start_date").shift(-1).over("child_id") - pl.col("end_date")
                                     <= 7))
            .then(pl.lit("TSPROC")).otherwise(pl.col("change_reason")))
        allocations = _without_fleeting_allocations(allocations)
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
                    swe_registration=np.array(workers["swe_registration"].to_list(), dtype=object),
                    role=workers["role"].to_numpy(), fte=workers["fte"].to_numpy(), agency=workers["agency"].to_numpy(),
                    start_date=workers["start_date"].to_numpy(), end_date=workers["end_date"].to_numpy())


def _without_fleeting_allocations(allocations: pl.DataFrame) -> pl.DataFrame:
    """Allocations sorted by child and start, with none shorter than ``MIN_ALLOCATION_DAYS`` that is
    handed straight on: the next worker holds the case from its start instead.

    A reallocation cut or a worker leaving can fall a day or two after the case was allocated, and a
    short assessment phase can pass to the next team the day after it began. Authorities do not record
    a worker for a day or two (the 903 rule SW09 rejects a social worker episode under 3 days), so the
    fleeting holder is dropped. A short last allocation of a case that then closes is kept.
    """
    nxt = pl.col("start_date").shift(-1).over("child_id")
    fleeting = (pl.col("end_date") != NO_DATE) & (pl.col("end_date") - pl.col("start_date") < MIN_ALLOCATION_DAYS) \
        & (nxt == pl.col("end_date"))
    a = allocations.with_columns(_fleeting=fleeting.fill_null(False))
    # a run of fleeting allocations joins the allocation that follows it
    a = a.with_columns(_run=(~pl.col("_fleeting").shift(1).over("child_id").fill_null(False))
                       .cum_sum().over("child_id"))
    a = a.with_columns(start_date=pl.col("start_date").min().over("child_id", "_run"))
    return a.filter(~pl.col("_fleeting")).drop("_fleeting", "_run")
