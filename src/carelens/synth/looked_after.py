"""Periods of care: legal statuses, placements, 903 episodes, reviews, visits,
health checks, missing episodes, the adoption pipeline, SGOs and care leavers.

Everything is generated for arrays of periods at once. A period's shape is
decided first (how long, how it ends, which legal track), then the things that
happen inside it are laid on top; 903 episodes are derived from the legal
status and placement timelines exactly as the DfE rules define them (a change
in either starts a new episode), so they can never disagree.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from carelens.synth.calendar import add_working_days, add_years, financial_year_start
from carelens.synth.records import NO_DATE, choice
from carelens.synth.schedules import ragged_positions, recurring

# From 28 October 2023 a looked-after 16- or 17-year-old may live only in Ofsted-registered supported
# accommodation (903 K3 from 2024/25; still H5 in the 2023/24 return), not in unregulated semi-independent
# (H5) or independent living (P2) placements. Open H5/P2 placements are recoded on that day.
SUPPORTED_ACCOMMODATION_FROM = 19658  # 2023-10-28
K3_FROM = 19814  # 2024-04-01: the 2024/25 return's code for supported accommodation
SGO_CODES_CHANGED = 17622  # 2018-04-01: from the 2018/19 return E43/E44 became E45/E46 (special guardianship)
AGE_BANDS = np.array([1, 5, 10, 16])  # under 1, 1-4, 5-9, 10-15, 16-17


def age_band(age_years: np.ndarray) -> np.ndarray:
    return np.searchsorted(AGE_BANDS, age_years, side="right")


class CareSimulator:
    """Generates looked-after histories for periods of care, into a shared :class:`Records`."""

    def __init__(self, sim):
        self.sim = sim
        self.rng: np.random.Generator = sim.rng
        self.care = sim.profile.care
        self.durations = sim.profile.durations
        self.end = sim.end_day
        self.records = sim.records

    # ----------------------------------------------------------------- periods
    def periods(self, child: np.ndarray, start: np.ndarray, referral_id: np.ndarray,
                route: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Simulate periods of care starting on ``start``. Returns (end day or NO_DATE, exit kind)."""
        rng, sim = self.rng, self.sim
        n = len(child)
        if n == 0:
            return np.zeros(0, np.int64), np.zeros(0, dtype="<U8")
        dob = sim.dob[child]
        age = (start - dob) / 365.25
        band = age_band(age)
        birthday18 = add_years(dob, 18)
        birthday16 = add_years(dob, 16)

        mix = self.care["exit_mix"]
        exit_names = {"return_home": "HOME", "adoption": "ADOPT", "sgo": "SGO", "other": "OTHER"}
        kind = np.array([exit_names[k] for k in choice(rng, mix, n)], dtype="<U6")
        # adoption is for young children; older children go home or to special guardians instead
        kind = np.where((kind == "ADOPT") & (age >= 5), np.where(rng.random(n) < 0.5, "HOME", "SGO"), kind)
        kind = np.where((kind == "SGO") & (age >= 14), "HOME", kind)
        uasc = route == "uasc"
        kind = np.where(uasc, "AGEOUT", kind)

        mean_days = np.asarray(self.durations["care_days_by_entry_age"], dtype=float)[band]
        duration = rng.gamma(1.3, mean_days / 1.3)
        # the adoption pipeline decides when an adopted child leaves care
        adopt = kind == "ADOPT"
        decision = start + rng.integers(90, 300, n)
        placement_order = decision + rng.integers(40, 160, n)
        matched = placement_order + rng.integers(45, 240, n)
        placed = matched + rng.integers(7, 35, n)
        adoption_order = placed + rng.integers(150, 420, n)
        duration = np.where(adopt, adoption_order - start, duration)
        # special guardianship and other orders take months in court
        duration = np.where(np.isin(kind, ["SGO", "OTHER"]), np.maximum(duration, rng.integers(150, 300, n)), duration)
        # unaccompanied asylum-seeking children stay looked after until they turn 18
        duration = np.where(uasc, birthday18 - start, duration)
        end = start + np.maximum(np.round(duration).astype(np.int64), 1)
        aged_out = end >= birthday18
        end = np.where(aged_out, birthday18, end)
        kind = np.where(aged_out, "AGEOUT", kind)
        adopt = kind == "ADOPT"
        still_open = end > self.end
        end_or_now = np.where(still_open, self.end + 1, end)

        period_id = sim.new_ids("P", n)
        reason_ceased = self._reason_ceased(kind, end, rng)
        reason_ceased = np.where(still_open, None, reason_ceased).astype(object)
        self.records.add("periods_of_care", period_id=period_id, child_id=sim.child_id[child],
                         referral_id=referral_id, start_date=start,
                         end_date=np.where(still_open, NO_DATE, end), reason_ceased=reason_ceased)

        # legal status track: accommodated under s20, or through the courts
        s20 = uasc | (route == "s20") | (rng.random(n) < self.care["s20_share"] * np.where(age >= 14, 2.0, 0.7))
        s20 &= ~adopt  # adoption needs a placement order
        # some adopters are the child's foster carers: the adoptive placement is then A5 (same carers)
        foster_carer_adopts = adopt & (rng.random(n) < 0.12)
        self._legal_and_placements(period_id, child, start, end_or_now, still_open, s20, age, band, kind,
                                   decision, placement_order, matched, placed, uasc, reason_ceased,
                                   foster_carer_adopts)
        self._reviews_visits_health(period_id, child, start, end_or_now, dob)
        self._missing(period_id, child, start, end_or_now, dob)
        self._annual_outcomes(child, start, end_or_now, dob)
        self._permanence(period_id, child, start, end, still_open, kind, decision, placement_order, matched,
                         placed, aged_out, foster_carer_adopts)
        # a child adopted from care does not come back to this authority's front door in the simulation
        sim.adopted[child[adopt & ~still_open]] = True
        self._previous_permanence(period_id, child, start)
        self._care_leavers(child, start, end, still_open, kind, dob, birthday16)
        return np.where(still_open, NO_DATE, end), kind

    def _reason_ceased(self, kind, end, rng):
        n = len(kind)
        home = np.where(rng.random(n) < 0.8, "E4A", np.where(rng.random(n) < 0.5, "E4B", "E13"))
        adopt = np.where(rng.random(n) < 0.55, "E11", "E12")
        foster_carer = rng.random(n) < 0.3
        sgo_new = np.where(foster_carer, "E45", "E46")
        sgo_old = np.where(foster_carer, "E43", "E44")
        sgo = np.where(end < SGO_CODES_CHANGED, sgo_old, sgo_new)
        other = np.where(rng.random(n) < 0.6, "E41", np.where(rng.random(n) < 0.5, "E3", "E8"))
        ageout = np.where(rng.random(n) < 0.35, "E17", np.where(rng.random(n) < 0.7, "E5", "E6"))
        out = np.select([kind == "HOME", kind == "ADOPT", kind == "SGO", kind == "OTHER"],
                        [home, adopt, sgo, other], ageout)
        return out.astype(object)

    # ------------------------------------------------- legal statuses, placements, 903 episodes
    def _legal_and_placements(self, period_id, child, start, end, still_open, s20, age, band, kind,
                              decision, placement_order, matched, placed, uasc, reason_ceased, foster_carer_adopts):
        rng, sim = self.rng, self.sim
        n = len(period_id)
        # ---- legal status changes: (period index, date, code)
        ls_p, ls_d, ls_c = [], [], []
        idx = np.arange(n)
        court = ~s20
        emergency = court & (rng.random(n) < 0.12)
        first = np.where(s20, "V2", np.where(emergency, np.where(rng.random(n) < 0.5, "L1", "L2"), "C1"))
        ls_p.append(idx); ls_d.append(start); ls_c.append(first)
        ico = emergency
        # police protection lasts at most 72 hours; an emergency protection order at most 8 days here
        ico_date = start + np.where(first == "L1", rng.integers(1, 4, n), rng.integers(1, 9, n))
        ls_p.append(idx[ico]); ls_d.append(ico_date[ico]); ls_c.append(np.full(ico.sum(), "C1"))
        final = court & (rng.random(n) < 0.85)
        final_date = start + rng.integers(180, 330, n)
        adopt = kind == "ADOPT"
        final_date = np.where(adopt, np.minimum(final_date, placement_order - 1), final_date)
        ls_p.append(idx[final]); ls_d.append(final_date[final]); ls_c.append(np.full(final.sum(), "C2"))
        ls_p.append(idx[adopt]); ls_d.append(placement_order[adopt]); ls_c.append(np.full(adopt.sum(), "E1"))
        ls = pl.DataFrame({"p": np.concatenate(ls_p), "date": np.concatenate(ls_d),
                           "legal_status": np.concatenate(ls_c).astype(str)})
        ls = ls.join(pl.DataFrame({"p": idx, "end": end}), on="p").filter(pl.col("date") < pl.col("end"))
        ls = ls.sort("p", "date").unique(["p", "date"], keep="last", maintain_order=True)

        # ---- placements: first placement at start, moves at random dates, adoption placement when placed
        years = (end - start) / 365.25
        moves = rng.poisson(self.care["placement_moves_per_year"] * np.maximum(years, 0.05))
        moves = np.minimum(moves, 12)
        owner, _ = ragged_positions(moves)
        span = np.maximum(end - start - 2, 1)
        move_dates = start[owner] + 1 + (rng.random(len(owner)) * span[owner]).astype(np.int64)
        pl_p = np.concatenate([idx, owner, idx[adopt]])
        pl_d = np.concatenate([start, move_dates, placed[adopt]])
        pl_kind = np.concatenate([np.full(n, "normal"), np.full(len(owner), "normal"),
                                  np.full(adopt.sum(), "adoption")])
        places = pl.DataFrame({"p": pl_p, "date": pl_d, "kind": pl_kind})
        places = places.join(pl.DataFrame({"p": idx, "end": end}), on="p").filter(pl.col("date") < pl.col("end"))
        # no moves after the adoptive placement
        places = places.join(pl.DataFrame({"p": idx[adopt], "placed": placed[adopt]}), on="p", how="left")
        places = places.filter(pl.col("placed").is_null() | (pl.col("date") <= pl.col("placed")))
        places = places.filter(~((pl.col("kind") == "normal") & (pl.col("date") == pl.col("placed"))).fill_null(False))
        places = places.sort("p", "date").unique(["p", "date"], keep="last", maintain_order=True)
        p = places["p"].to_numpy()
        d = places["date"].to_numpy()
        m = len(p)
        dob = sim.dob[child][p]
        page = (d - dob) / 365.25
        ptype = self._placement_types(page, s20[p], places["kind"].to_numpy() == "adoption", d,
                                      foster_carer_adopts[p])
        # special guardians are the child's foster carers (E45) or relatives fostering them (E46)
        last_place = np.append(p[1:] != p[:-1], True)
        sgo_last = last_place & (kind[p] == "SGO")
        ptype = np.where(sgo_last & ~np.char.startswith(ptype.astype(str), "U"),
                         np.where(rng.random(m) < 0.5, "U4", "U3"), ptype)
        provider = self._providers(ptype)
        placement_id = sim.new_ids("L", m)
        inside = rng.random(m) < np.where(np.isin(ptype, ["K2", "S1"]), 0.35, 0.75)
        postcode = sim.postcodes(child[p], inside)
        # Ofsted URNs: children's homes, supported accommodation and family centres or mother and baby
        # units (R3) have their own; foster placements carry the fostering service's (the authority's own,
        # or an agency's); adoption placements made through the regional adoption agency are XXXXXXX, the
        # only placements that may use it (rule 242)
        fostering_urn = np.where(provider == "PR1", sim.fostering_service_urn, sim.agency_urns(m))
        urn = np.select([np.isin(ptype, ["K1", "K2", "S1", "R1", "R3", "H5", "K3"]),
                         np.char.startswith(ptype.astype(str), "U"),
                         np.isin(ptype, ["A3", "A4", "A5", "A6"])],
                        [sim.home_urns(m), fostering_urn, np.where(provider == "PR1", "XXXXXXX", sim.agency_urns(m))],
                        "XXXXXXX")
        places = places.with_columns(
            pl.Series("placement_id", placement_id), pl.Series("placement_type", ptype),
            pl.Series("provider", provider), pl.Series("postcode", postcode),
            pl.Series("urn", urn), pl.Series("inside_la", inside),
        )
        place_end = places.select(pl.col("date").shift(-1).over("p"), "end").to_numpy()
        pend = np.where(np.isnan(place_end[:, 0].astype(float)), place_end[:, 1], place_end[:, 0]).astype(np.int64)
        last_place = np.isnan(place_end[:, 0].astype(float))
        change_reason = np.where(last_place, None,
                                 choice(self.rng, {"CARPL": 0.35, "PLACE": 0.15, "LAREQ": 0.2, "CHILD": 0.1,
                                                   "CREQO": 0.08, "ALLEG": 0.02, "STAND": 0.05, "OTHER": 0.05}, m))
        change_reason = np.where(places["kind"].shift(-1).to_numpy() == "adoption", "APPRR", change_reason)
        open_last = last_place & still_open[p]
        self.records.add("placements", placement_id=placement_id, child_id=sim.child_id[child][p],
                         period_id=period_id[p], start_date=d, end_date=np.where(open_last, NO_DATE, pend),
                         placement_type=ptype, provider=provider, postcode=postcode, urn=urn,
                         distance_miles=np.where(inside, rng.gamma(2, 2.2, m), rng.gamma(3, 12, m)).round(1),
                         inside_la=inside, change_reason=change_reason.astype(object))
        ls_end = ls.select(pl.col("date").shift(-1).over("p"), "end").to_numpy()
        ls_last = np.isnan(ls_end[:, 0].astype(float))
        lend = np.where(ls_last, ls_end[:, 1], ls_end[:, 0]).astype(np.int64)
        lp = ls["p"].to_numpy()
        self.records.add("legal_statuses", legal_status_id=sim.new_ids("G", len(lp)),
                         child_id=sim.child_id[child][lp], period_id=period_id[lp],
                         legal_status=ls["legal_status"].to_numpy(), start_date=ls["date"].to_numpy(),
                         end_date=np.where(ls_last & still_open[lp], NO_DATE, lend))

        # ---- 903 episodes: every date where legal status or placement changes
        events = pl.concat([
            ls.select("p", "date", "legal_status", pl.lit(None, pl.Utf8).alias("placement_id")),
            places.select("p", "date", pl.lit(None, pl.Utf8).alias("legal_status"), "placement_id"),
        ]).group_by("p", "date").agg(pl.col("legal_status").drop_nulls().last(),
                                     pl.col("placement_id").drop_nulls().last())
        events = events.sort("p", "date").with_columns(
            ls_changed=pl.col("legal_status").is_not_null(), place_changed=pl.col("placement_id").is_not_null())
        events = events.with_columns(pl.col("legal_status", "placement_id").forward_fill().over("p"))
        events = events.join(places.select("placement_id", "placement_type", "provider", "postcode", "urn"),
                             on="placement_id", how="left")
        # The 2024/25 specification retired H5 and P2: an open placement of that type is recoded to K3
        # on 1 April 2024 by a new episode with reason T (change of placement type, same carer).
        events = self._split_for_code_changes(events, end)
        events = events.sort("p", "date")
        e = events
        p = e["p"].to_numpy()
        nxt = e.select(pl.col("date").shift(-1).over("p")).to_series().to_numpy()
        last = np.isnan(nxt.astype(float))
        ep_end = np.where(last, end[p], np.nan_to_num(nxt.astype(float)).astype(np.int64))
        first = e.select(pl.col("p").cum_count().over("p") == 1).to_series().to_numpy()
        lsc = e["ls_changed"].to_numpy()
        plc = e["place_changed"].to_numpy()
        same_carer = e["same_carer"].to_numpy()
        rne = np.select([first, same_carer & lsc, same_carer, lsc & plc, lsc], ["S", "U", "T", "B", "L"], "P")
        rec = np.where(last, reason_ceased[p], "X1").astype(object)
        open_ep = last & still_open[p]
        rec = np.where(open_ep, None, rec)
        # the reason for a placement change is recorded on the episode that ends with the move
        next_place_changed = np.append(plc[1:], False) & ~last & ~np.append(same_carer[1:], False)
        next_same_carer = np.append(same_carer[1:], False) & ~last
        pid_reason = dict(zip(placement_id.tolist(), change_reason.tolist()))
        rpc = np.array([pid_reason.get(x) if f else ("PLACE" if same else None)
                        for x, f, same in zip(e["placement_id"].to_list(), next_place_changed, next_same_carer)],
                       dtype=object)
        cin = sim.cin_need_for_period(child[p])
        home_post = sim.home_postcode[child[p]]
        self.records.add(
            "looked_after_episodes", episode_id=sim.new_ids("E", len(p)), child_id=sim.child_id[child][p],
            period_id=period_id[p], start_date=e["date"].to_numpy(), reason_new_episode=rne,
            legal_status=e["legal_status"].to_numpy(), cin_category=cin, placement_id=e["placement_id"].to_numpy(),
            placement_type=e["placement_type"].to_numpy(), placement_provider=e["provider"].to_numpy(),
            end_date=np.where(open_ep, NO_DATE, ep_end), reason_ceased=rec, reason_place_change=rpc,
            home_postcode=home_post, placement_postcode=e["postcode"].to_numpy(), urn=e["urn"].to_numpy(),
        )

    def _split_for_code_changes(self, events: pl.DataFrame, end: np.ndarray) -> pl.DataFrame:
        """New episodes where a placement's code changes though the child stays put (RNE T).

        Independent living (P2) ended for looked-after children on 28 October 2023: an open P2
        placement becomes supported accommodation (H5 in 2023/24). From 1 April 2024 the return
        calls supported accommodation K3, so an open H5 placement is recoded then.
        """
        # placed for adoption with the current foster carers (A3/A5): a new placement type, same carers
        events = events.with_columns(same_carer=pl.col("place_changed") & pl.col("placement_type").is_in(["A3", "A5"]))
        period_end = pl.DataFrame({"p": np.arange(len(end)), "end": end})
        for day, old, new in ((SUPPORTED_ACCOMMODATION_FROM, ["P2"], "H5"), (K3_FROM, ["H5", "P2"], "K3")):
            nxt = events.select(pl.col("date").shift(-1).over("p").alias("next"))["next"]
            open_on_day = events.with_columns(next=nxt).filter(
                pl.col("placement_type").is_in(old) & (pl.col("date") < day)
                & (pl.col("next").is_null() | (pl.col("next") > day)))
            open_on_day = open_on_day.join(period_end, on="p").filter(pl.col("end") > day).drop("end", "next")
            if len(open_on_day):
                split = open_on_day.with_columns(date=pl.lit(day, pl.Int64), placement_type=pl.lit(new),
                                                 ls_changed=pl.lit(False), place_changed=pl.lit(True),
                                                 same_carer=pl.lit(True))
                events = pl.concat([events, split.select(events.columns)]).sort("p", "date")
            # later episodes in the same placement carry the new code
            events = events.with_columns(placement_type=pl.when(
                pl.col("placement_type").is_in(old) & (pl.col("date") >= day))
                .then(pl.lit(new)).otherwise(pl.col("placement_type")))
        # independent living (P2) had no Ofsted registration; as supported accommodation it has one from
        # 28 October 2023 (rule 230), derived from the placement so the random draws are unchanged
        registered = pl.col("placement_type").is_in(["H5", "K3"]) & (pl.col("urn") == "XXXXXXX")
        return events.with_columns(urn=pl.when(registered)
                                   .then(pl.format("SC9{}", pl.col("placement_id").str.slice(-5)))
                                   .otherwise(pl.col("urn")))

    def _placement_types(self, age, s20, adoption, date, foster_carer_adopts):
        rng = self.rng
        m = len(age)
        mix = self.care["placement_mix"]
        kind = choice(rng, mix, m)
        kind = np.where((kind == "independent") & (age < 16), "foster", kind)
        kind = np.where((kind == "childrens_home") & (age < 9), "foster", kind)
        kind = np.where((kind == "with_parents") & s20, "foster", kind)  # s20 cannot be placed with parents
        # older teenagers move on to independence more often
        kind = np.where((age >= 16.5) & (rng.random(m) < 0.35), "independent", kind)
        foster = choice(rng, {"U6": 0.55, "U4": 0.25, "U3": 0.12, "U1": 0.08}, m)
        independent = np.where(date >= K3_FROM, "K3", np.where(
            (date >= SUPPORTED_ACCOMMODATION_FROM) | (rng.random(m) < 0.8), "H5", "P2"))
        other = np.where(age < 1, "R3", np.where(age >= 10, "S1", "U6"))
        out = np.select([kind == "foster", kind == "with_parents", kind == "childrens_home",
                         kind == "independent"], [foster, np.full(m, "P1"), np.full(m, "K2"), independent], other)
        adopt_type = np.where(foster_carer_adopts, "A5", "A6")
        return np.where(adoption, adopt_type, out).astype(str)

    def _providers(self, ptype):
        rng = self.rng
        m = len(ptype)
        own = rng.random(m) < self.care["own_provision_foster"]
        foster = np.where(own, "PR1", np.where(rng.random(m) < 0.8, "PR4", "PR5"))
        relative = np.isin(ptype, ["U1", "U2", "U3"])
        home = np.where(rng.random(m) < 0.2, "PR1", np.where(rng.random(m) < 0.9, "PR4", "PR5"))
        return np.select(
            [relative, np.char.startswith(ptype.astype(str), "U"), ptype == "P1", np.isin(ptype, ["K2", "S1", "R1"]),
             np.isin(ptype, ["H5", "P2", "K3"]), np.isin(ptype, ["A3", "A4", "A5", "A6"])],
            ["PR1", foster, "PR0", home, np.where(rng.random(m) < 0.4, "PR1", "PR4"),
             np.where(rng.random(m) < 0.7, "PR1", "PR5")],
            "PR1").astype(str)

    # ------------------------------------------------------------ reviews, visits, health
    def _reviews_visits_health(self, period_id, child, start, end, dob):
        rng, sim = self.rng, self.sim
        n = len(period_id)
        child_ids = sim.child_id[child]
        late = np.full(n, 0.04)
        # first review within 20 working days, the second within 3 months of it, then every 6 months
        first_due = add_working_days(start, 20)
        owner, due, actual = recurring(start, end, 0, 1, rng, max_events=1)
        due = first_due[owner]
        actual = due - rng.integers(0, 8, len(owner))
        actual = np.maximum(actual, start[owner] + 1)
        keep = actual < end[owner]
        o1, d1, a1 = owner[keep], due[keep], actual[keep]
        owner2, due2, actual2 = recurring(start + (first_due - start), end, 91, 182, rng, lateness=late)
        participation = choice(rng, {"PN1": 0.6, "PN2": 0.12, "PN3": 0.09, "PN4": 0.06, "PN5": 0.05,
                                     "PN6": 0.03, "PN7": 0.05}, len(o1) + len(owner2))
        all_owner = np.concatenate([o1, owner2])
        # PN0 means "child under 4 at the time of the review", and only then
        birthday4 = add_years(dob, 4)[all_owner]
        participation = np.where(np.concatenate([a1, actual2]) < birthday4, "PN0", participation)
        self.records.add("looked_after_reviews", review_id=sim.new_ids("V", len(all_owner)),
                         child_id=child_ids[all_owner], period_id=period_id[all_owner],
                         due_date=np.concatenate([d1, due2]), review_date=np.concatenate([a1, actual2]),
                         participation=participation)
        # statutory visits: within a week, then at least every six weeks
        visits_late = np.full(n, 1 - sim.profile.care.get("visits_in_timescale", 0.9))
        vo, _vd, va = recurring(start, end, 7, 42, rng, lateness=visits_late)
        seen = rng.random(len(vo)) < 0.95
        self.records.add("looked_after_visits", visit_id=sim.new_ids("W", len(vo)), child_id=child_ids[vo],
                         period_id=period_id[vo], visit_date=va, child_seen=seen,
                         child_seen_alone=seen & (rng.random(len(vo)) < 0.6))
        # health assessments (first within 20 working days, then yearly) and dental checks (yearly)
        ha_late = np.full(n, 1 - self.care["health_assessment_up_to_date"])
        ho, _hd, ha = recurring(start, end, 25, 365, rng, lateness=ha_late * 1.5)
        dental_late = np.full(n, 1 - self.care["dental_up_to_date"])
        do, _dd, da = recurring(start, end, 60, 365, rng, lateness=dental_late * 1.5)
        da_age = (da - dob[do]) / 365.25
        keep = da_age >= 1  # no dental check for babies
        do, da = do[keep], da[keep]
        self.records.add("health_checks", health_check_id=sim.new_ids("H", len(ho) + len(do)),
                         child_id=child_ids[np.concatenate([ho, do])],
                         check_type=np.concatenate([np.full(len(ho), "HEALTH_ASSESSMENT"), np.full(len(do), "DENTAL")]),
                         check_date=np.concatenate([ha, da]))

    # --------------------------------------------------------------------- missing
    def _missing(self, period_id, child, start, end, dob):
        rng, sim = self.rng, self.sim
        n = len(period_id)
        eleventh = add_years(dob, 11)
        from_ = np.maximum(start, eleventh)
        years = np.maximum(end - from_, 0) / 365.25
        # a minority go missing, and those who do often go missing repeatedly
        goes_missing = rng.random(n) < min(1.0, self.care["missing_share"] / 0.45)
        counts = np.where(goes_missing, rng.poisson(np.maximum(years, 0) * rng.gamma(1.0, 2.2, n)), 0)
        counts = np.minimum(counts, 60)
        owner, _ = ragged_positions(counts)
        span = np.maximum(end[owner] - from_[owner] - 1, 1)
        s = from_[owner] + (rng.random(len(owner)) * span).astype(np.int64)
        order = np.lexsort((s, owner))
        owner, s = owner[order], s[order]
        length = rng.choice([0, 0, 1, 1, 1, 2, 3, 5], size=len(owner))
        # a child cannot go missing again before coming back: push later spells past the earlier ones
        for _ in range(8):
            prev_end = np.concatenate([[NO_DATE], (s + length)[:-1]])
            same = np.concatenate([[False], owner[1:] == owner[:-1]])
            clash = same & (s <= prev_end)
            if not clash.any():
                break
            s = np.where(clash, prev_end + 1 + rng.integers(0, 10, len(s)), s)
        e = s + length
        keep = e < end[owner] - 1  # back before the period of care ends
        owner, s, e = owner[keep], s[keep], e[keep]
        still_missing = e > self.end
        keep = ~(still_missing & (s > self.end))
        owner, s, e, still_missing = owner[keep], s[keep], e[keep], still_missing[keep]
        offered = rng.random(len(owner)) < self.care["return_interview_offered"]
        accepted = offered & (rng.random(len(owner)) < self.care["return_interview_accepted"])
        self.records.add("missing_episodes", missing_id=sim.new_ids("M", len(owner)),
                         child_id=sim.child_id[child][owner], period_id=period_id[owner],
                         missing_type=np.where(rng.random(len(owner)) < 0.8, "M", "A"), start_date=s,
                         end_date=np.where(still_missing, NO_DATE, e), return_interview_offered=offered,
                         return_interview_accepted=accepted)

    # ------------------------------------------------------------- OC2 outcomes
    def _annual_outcomes(self, child, start, end, dob):
        rng, sim = self.rng, self.sim
        march = sim.march_31s  # day numbers of every 31 March in the simulation
        # looked after continuously for 12 months at 31 March: started at least a year before, still in care
        # DfE counts a child who started on or before 1 April of the previous year (364 days)
        first = np.searchsorted(march, start + 364)
        last = np.searchsorted(march, end, side="right")  # 31 Marches up to and including the end
        counts = np.maximum(last - first, 0)
        owner, pos = ragged_positions(counts)
        ye = march[first[owner] + pos]
        m = len(owner)
        age = (ye - dob[owner]) / 365.25
        whole_age = np.floor(age)
        # SDQ: a score for 4-16 year olds (or SDQ2-SDQ5 saying why not); at 17 a score or SDQ1
        sdq_age = (whole_age >= 4) & (whole_age <= 16)
        seventeen = whole_age == 17
        sdq_done = (sdq_age & (rng.random(m) < 0.8)) | (seventeen & (rng.random(m) < 0.3))
        sdq = np.where(sdq_done, np.clip(np.round(rng.normal(14, 6, m)), 0, 40), -1).astype(np.int32)
        sdq_reason = np.where(sdq_age & ~sdq_done, choice(rng, {"SDQ2": 0.3, "SDQ3": 0.2, "SDQ4": 0.35,
                                                                  "SDQ5": 0.15}, m),
                              np.where(seventeen & ~sdq_done, "SDQ1", None))
        misuse = (age >= 10) & (rng.random(m) < 0.04)
        received = misuse & (rng.random(m) < 0.6)
        offered = misuse & ~received & (rng.random(m) < 0.5)
        frame = {
            "child_id": sim.child_id[child][owner], "year_ending": ye,
            "sdq_score": np.where(sdq >= 0, sdq, None).astype(object),
            "sdq_reason": sdq_reason.astype(object),
            "convicted": np.where(age >= 10, rng.random(m) < 0.03, None).astype(object),
            "health_check_up_to_date": np.where(age < 5, rng.random(m) < 0.9, None).astype(object),
            "immunisations_up_to_date": rng.random(m) < 0.85,
            "teeth_checked": rng.random(m) < self.care["dental_up_to_date"],
            "health_assessment_up_to_date": rng.random(m) < self.care["health_assessment_up_to_date"],
            "substance_misuse": misuse,
            "intervention_received": np.where(misuse, received, None).astype(object),
            "intervention_offered": np.where(misuse & ~received, offered, None).astype(object),
        }
        self.records.add("annual_outcomes", **frame)

    # -------------------------------------------------------------- permanence
    def _permanence(self, period_id, child, start, end, still_open, kind, decision, placement_order,
                    matched, placed, aged_out, foster_carer):
        rng, sim = self.rng, self.sim
        n = len(period_id)
        adopt = kind == "ADOPT"
        # some children have an adoption decision that is later reversed; they leave care another way
        reversed_ = (~adopt) & (kind != "AGEOUT") & ((start - sim.dob[child]) < 4 * 365) & (rng.random(n) < 0.08)
        reversal_date = decision + rng.integers(100, 400, n)
        reversed_ &= (reversal_date < np.where(still_open, self.end, end)) & (decision < reversal_date)
        sgo = kind == "SGO"
        has = adopt | reversed_ | sgo
        cutoff = self.end

        def upto(x, mask):
            return np.where(mask & (x <= cutoff), x, NO_DATE)

        in_pipeline = adopt | reversed_
        order = np.where(adopt, end, np.where(sgo, end, NO_DATE))
        order = np.where(still_open, NO_DATE, order)
        idx = np.where(has)[0]
        adopters = np.where(rng.random(n) < 0.8, 2, 1)
        sex = np.where(adopters == 1, np.where(rng.random(n) < 0.8, "F1", "M1"),
                       choice(rng, {"MF": 0.85, "MM": 0.08, "FF": 0.07}, n))
        couple = np.where(sex == "MF", choice(rng, {"L11": 0.85, "L3": 0.15}, n),
                          choice(rng, {"L12": 0.5, "L2": 0.3, "L4": 0.2}, n))
        legal = np.where(adopters == 1, "L0", couple)
        adopted = adopt & ~still_open
        self.records.add(
            "permanence", permanence_id=sim.new_ids("A", len(idx)), child_id=sim.child_id[child][idx],
            period_id=period_id[idx],
            adoption_decision_date=upto(decision, in_pipeline)[idx],
            placement_order_date=upto(placement_order, adopt)[idx],
            matched_date=upto(matched, adopt)[idx],
            placed_for_adoption_date=upto(placed, adopt)[idx],
            decision_reversed_date=upto(reversal_date, reversed_)[idx],
            decision_reversed_reason=np.where(reversed_, choice(rng, {"RD1": 0.5, "RD2": 0.2, "RD3": 0.2,
                                                                       "RD4": 0.1}, n),
                                              None)[idx]
            .astype(object),
            order_type=np.where(adopt & ~still_open, "ADOPTION", np.where(sgo & ~still_open, "SGO", None))[idx]
            .astype(object),
            order_date=order[idx],
            adopted_by_foster_carer=np.where(adopted, foster_carer, None)[idx].astype(object),
            number_of_adopters=np.where(adopted, adopters, None)[idx].astype(object),
            adopter_sex=np.where(adopted, sex, None)[idx].astype(object),
            adopter_legal_status=np.where(adopted, legal, None)[idx].astype(object),
        )

    def _previous_permanence(self, period_id, child, start):
        rng, sim = self.rng, self.sim
        n = len(period_id)
        option = choice(rng, {"Z1": 0.8, "P4": 0.1, "P1": 0.03, "P2": 0.04, "P3": 0.03}, n)
        # only a child old enough to have lived under an earlier order can have one
        option = np.where((start - sim.dob[child] < 400) & np.isin(option, ["P1", "P2", "P3"]), "Z1", option)
        known = np.isin(option, ["P1", "P2", "P3"])
        order_date = np.where(known, start - rng.integers(200, 2000, n), NO_DATE)
        order_date = np.maximum(order_date, np.where(known, sim.dob[child] + 30, NO_DATE))
        # an order of some kind (P1-P4) is recorded with the authority that arranged it
        self.records.add("previous_permanence", child_id=sim.child_id[child], period_id=period_id,
                         option=option, order_date=order_date,
                         order_la=np.where(option != "Z1", sim.la_code, None).astype(object))

    # ------------------------------------------------------------ care leavers
    def _care_leavers(self, child, start, end, still_open, kind, dob, birthday16):
        rng, sim = self.rng, self.sim
        fourteenth = add_years(dob, 14)
        # eligible: looked after 13 weeks since 14, including some time after 16, and not adopted/SGO
        weeks_since_14 = (end - np.maximum(start, fourteenth)) / 7
        eligible = (~still_open) & (weeks_since_14 >= 13) & (end > birthday16) & np.isin(kind, ["AGEOUT", "HOME",
                                                                                                   "OTHER"])
        idx = np.where(eligible)[0]
        rows = []
        for age in range(17, 22):
            birthday = add_years(dob[idx], age)
            ok = (birthday >= end[idx]) & (birthday <= self.end)
            if age == 17:
                ok &= birthday > end[idx]
            rows.append((idx[ok], np.full(ok.sum(), age), birthday[ok]))
        owner = np.concatenate([r[0] for r in rows])
        age = np.concatenate([r[1] for r in rows])
        birthday = np.concatenate([r[2] for r in rows])
        m = len(owner)
        in_touch_p = np.where(age <= 18, self.care["in_touch_17_18"], self.care["in_touch_17_18"] + 0.03)
        in_touch = np.where(rng.random(m) < in_touch_p, "YES",
                            choice(rng, {"NO": 0.6, "REFU": 0.25, "NREQ": 0.1, "RHOM": 0.05}, m))
        eet = rng.random(m) < self.care["eet"]
        activity = np.where(eet, choice(rng, {"F1": 0.45, "P1": 0.15, "F2": 0.2, "P2": 0.05, "F4": 0.1, "F5": 0.05}, m),
                            choice(rng, {"G4": 0.5, "G5": 0.3, "G6": 0.2}, m))
        # before the 2021/22 return, higher education and training were F3/P3 (F4/F5 and P4/P5 after)
        # the latest contact around the birthday, within the same collection year as the birthday
        contact = np.maximum(birthday - rng.integers(0, 60, m), financial_year_start(birthday))
        before_2022 = birthday < 18718  # 2021-04-01: the return's year is the birthday's
        activity = np.where(before_2022 & np.isin(activity, ["F4", "F5"]), "F3", activity)
        activity = np.where(before_2022 & np.isin(activity, ["P4", "P5"]), "P3", activity)
        activity = np.where(in_touch == "YES", activity, "0")
        suitable = rng.random(m) < self.care["suitable_accommodation"]
        acc_type = choice(rng, {"U": 0.30, "D": 0.15, "B": 0.12, "Z": 0.10, "E": 0.08, "Y": 0.05, "K": 0.04,
                                "T": 0.03, "C": 0.03, "S": 0.02, "X": 0.02, "R": 0.02, "W": 0.01, "V": 0.01,
                                "G": 0.01, "H": 0.01}, m)
        # homelessness (S) and custody (X) are never suitable; staying put (Z) is only after 18
        acc_type = np.where((age == 17) & (acc_type == "Z"), "B", acc_type)
        suitable = suitable & ~np.isin(acc_type, ["S", "X"])
        accommodation = np.where(in_touch == "YES", np.char.add(acc_type, np.where(suitable, "1", "2")), "0")
        self.records.add("care_leaver_contacts", child_id=sim.child_id[child][owner], birthday_age=age,
                         contact_date=np.where(in_touch == "YES", contact, NO_DATE), in_touch=in_touch,
                         activity=activity, accommodation=accommodation,
                         eligibility=np.where(age <= 17, "ELIGIBLE", "FORMER_RELEVANT"))
