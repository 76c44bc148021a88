"""The front door and child protection: contacts, early help, referrals,
assessments, strategy discussions, section 47 enquiries, ICPCs, CP plans and
child in need plans — one involvement per child per call, for many children at once.

An involvement starts with a contact and ends when the child's case closes.
Each step converts to the next with the profile's probabilities and takes the
profile's durations, counted in working days where the statutory timescale is
(assessments: 45 working days; ICPC: 15 working days from the strategy
discussion). Children who come into care hand over to
:class:`carelens.synth.looked_after.CareSimulator`; their referral stays open
until they leave care.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from carelens.synth.calendar import add_working_days, add_years, roll_to_working_day
from carelens.synth.records import NO_DATE, choice
from carelens.synth.schedules import recurring

REFERRAL_SOURCES = {"6": 0.28, "2A": 0.20, "3A": 0.03, "3B": 0.03, "3C": 0.01, "3D": 0.03, "3E": 0.03, "3F": 0.03,
                    "5A": 0.04, "5B": 0.04, "5C": 0.03, "1A": 0.04, "1B": 0.01, "1C": 0.01, "1D": 0.01,
                    "4": 0.02, "7": 0.03, "8": 0.05, "9": 0.01, "10": 0.08}
PRIMARY_NEED = {"N1": 0.57, "N2": 0.04, "N3": 0.04, "N4": 0.09, "N5": 0.15, "N6": 0.02, "N7": 0.005,
                "N8": 0.04, "N0": 0.045}
CATEGORY_OF_ABUSE = {"NEG": 0.50, "EMO": 0.37, "PHY": 0.07, "SAB": 0.04, "MUL": 0.02}
# factor codes valid in every CIN census year 2017-2026 (18A/18B, 19A/19B changed in 2021)
ASSESSMENT_FACTORS = {"3A": 0.32, "3B": 0.30, "4B": 0.33, "2B": 0.17, "1B": 0.16, "4A": 0.18, "21": 0.10,
                      "8F": 0.01, "6C": 0.03, "5B": 0.05, "22A": 0.07, "16A": 0.05, "11A": 0.05,
                      "2A": 0.04, "20": 0.03, "6B": 0.05, "10A": 0.04, "7A": 0.02, "9A": 0.01}
# "RC9: closed after assessment, referred to early help" exists from the 2022/23 census
RC9_FROM = 19083  # 2022-04-01


@dataclass
class Involvement:
    """What one round of the front door produced for each child in it."""

    closed: np.ndarray  # day the case closed, or NO_DATE if still open at the end of the simulation
    outcome: np.ndarray  # NFA, EARLY_HELP, REFERRAL
    early_help_step_up: np.ndarray  # bool: the early help episode ended by stepping up


def _lognormal_working_days(rng, n, median, p_within, limit, longest):
    """Working-day durations with a given median and share within ``limit``, none longer than ``longest``."""
    sigma = max(np.log(limit / median) / norm.ppf(p_within), 0.05) if p_within < 1 else 0.05
    days = np.round(rng.lognormal(np.log(median), sigma, n))
    return np.clip(days, 1, longest).astype(np.int64)


class FrontDoor:
    def __init__(self, sim):
        self.sim = sim
        self.rng = sim.rng
        self.rates = sim.profile.rates
        self.durations = sim.profile.durations
        self.records = sim.records
        self.end = sim.end_day

    def involvement(self, child: np.ndarray, t: np.ndarray, force_referral: np.ndarray) -> Involvement:
        rng, sim, r = self.rng, self.sim, self.rates
        n = len(child)
        contact_id = sim.new_ids("K", n)
        u = rng.random(n)
        # a child already known to social care is more likely to be referred again
        known = sim.referral_count[child] > 0
        p_ref = np.where(known, r.get("known_child_referral", 0.6), r["contact_to_referral"])
        outcome = np.where(u < p_ref, "REFERRAL",
                           np.where(u < p_ref + r["contact_to_early_help"], "EARLY_HELP", "NFA"))
        outcome = np.where(force_referral, "REFERRAL", outcome)
        # a contact about an unborn baby is only pursued as a referral (pre-birth assessment)
        outcome = np.where((t < sim.dob[child]) & (outcome == "EARLY_HELP"), "NFA", outcome)
        source = choice(rng, REFERRAL_SOURCES, n)
        closed = t.copy()
        step_up = np.zeros(n, bool)
        is_ref = outcome == "REFERRAL"
        referral_id = np.full(n, None, dtype=object)
        referral_id[is_ref] = sim.new_ids("R", int(is_ref.sum()))
        contact_outcome = np.where(outcome == "NFA",
                                   np.where(rng.random(n) < 0.5, "INFORMATION_ADVICE", "NFA"), outcome)
        self.records.add("contacts", contact_id=contact_id, child_id=sim.child_id[child], contact_date=t,
                         source=source, outcome=contact_outcome, referral_id=referral_id)
        eh = outcome == "EARLY_HELP"
        if eh.any():
            closed[eh], step_up[eh] = self.early_help(child[eh], t[eh], None)
        if is_ref.any():
            closed[is_ref] = self.referrals(child[is_ref], t[is_ref], referral_id[is_ref].astype(str),
                                            contact_id[is_ref], source[is_ref])
        return Involvement(closed=closed, outcome=outcome, early_help_step_up=step_up)

    # ------------------------------------------------------------------ early help
    def early_help(self, child, start, from_referral):
        rng, sim = self.rng, self.sim
        n = len(child)
        end = start + np.maximum(14, rng.gamma(2.0, self.durations["early_help_days"] / 2.0, n)).astype(np.int64)
        cap = add_years(sim.dob[child], 18) - 1
        aged_out = end >= cap
        end = np.minimum(end, cap)
        step_up = (~aged_out) & (rng.random(n) < self.rates["early_help_step_up"])
        reason = np.where(step_up, "STEP_UP", np.where(aged_out, "AGED_OUT",
                          choice(rng, {"COMPLETED": 0.75, "DISENGAGED": 0.18, "MOVED": 0.07}, n)))
        still_open = end > self.end
        self.records.add("early_help_episodes", early_help_id=sim.new_ids("Y", n), child_id=sim.child_id[child],
                         start_date=start, end_date=np.where(still_open, NO_DATE, end),
                         reason=choice(rng, PRIMARY_NEED, n),
                         end_reason=np.where(still_open, None, reason).astype(object),
                         from_referral_id=from_referral)
        sim.add_phase(child, None, "EARLY_HELP", start, np.where(still_open, NO_DATE, end))
        return np.where(still_open, NO_DATE, end), step_up & ~still_open

    # ------------------------------------------------------------------- referrals
    def referrals(self, child, ref_date, referral_id, contact_id, source):
        rng, sim, r, d = self.rng, self.sim, self.rates, self.durations
        n = len(child)
        dob = sim.dob[child]
        birthday18 = add_years(dob, 18)
        cap = birthday18 - 1  # a child's case must close before they turn 18
        nfa = rng.random(n) < r["referral_nfa"]
        need = choice(rng, PRIMARY_NEED, n)
        sim.referral_count[child] += 1
        # children who have been on a plan before are more likely to go through child protection again
        was_on_plan = sim.cp_plan_count[child] > 0

        # ---- assessment
        assessed = ~nfa
        a_start = roll_to_working_day(ref_date + rng.integers(0, 3, n))
        # an assessment is never left open for more than about five months
        a_wd = _lognormal_working_days(rng, n, d["assessment_working_days_median"], d["assessment_within_45_wd"], 45,
                                       100)
        a_auth = add_working_days(a_start, a_wd)

        # ---- strategy discussion → s47 → ICPC → CP plan
        strategy = assessed & (rng.random(n) < np.where(was_on_plan, r.get("repeat_strategy_discussion", 0.9),
                                                        r["strategy_discussion"]))
        # the strategy discussion happens once the assessment is under way
        sd_date = np.maximum(roll_to_working_day(ref_date + rng.integers(0, 6, n)), a_start)
        s47 = strategy & (rng.random(n) < r["strategy_to_s47"])
        icpc = s47 & (rng.random(n) < np.where(was_on_plan, min(1.0, r["s47_to_icpc"] * r.get("repeat_icpc_factor", 1.8)), r["s47_to_icpc"]))
        within15 = rng.random(n) < d["icpc_within_15_wd"]
        icpc_wd = np.where(within15, rng.integers(7, 16, n), rng.integers(16, 31, n))
        icpc_target = add_working_days(sd_date, 15)
        icpc_date = add_working_days(sd_date, icpc_wd)
        s47_wd = _lognormal_working_days(rng, n, d["s47_working_days_median"], 0.55, 13, 60)
        s47_end = add_working_days(sd_date, s47_wd)
        s47_end = np.where(icpc, np.minimum(s47_end, icpc_date), s47_end)
        cp = icpc & (rng.random(n) < r["icpc_to_cp"]) & (icpc_date < cap - 30)
        # an assessment under way when a plan starts is completed by the conference
        a_auth = np.where(icpc, np.minimum(a_auth, icpc_date), a_auth)

        # ---- after assessment
        u = rng.random(n)
        direct_care = assessed & ~cp & (u < r["direct_to_care"])
        a_nfa = assessed & ~cp & ~direct_care & ~icpc & (rng.random(n) < r["assessment_nfa"] * np.where(s47, 0.6, 1.0))
        cin_plan = assessed & ~cp & ~direct_care & ~a_nfa & (
            icpc | (rng.random(n) < r["assessment_to_cin_plan"]))
        # a child who needs a service but no plan gets support under the assessment, then closes
        cin_no_plan = assessed & ~cp & ~direct_care & ~a_nfa & ~cin_plan

        # ---- CP plans
        cp_start = icpc_date
        cp_len = np.maximum(30, rng.gamma(1.6, d["cp_plan_days"] / 1.6, n)).astype(np.int64)
        cp_end = cp_start + cp_len
        cp_to_care = cp & (rng.random(n) < r["cp_to_care"])
        cp_to_cin = cp & ~cp_to_care & (rng.random(n) < r["cp_to_cin_on_end"])
        cp_aged = cp & (cp_end >= cap)
        cp_end = np.minimum(cp_end, cap)
        cp_to_care &= ~cp_aged
        cp_to_cin &= ~cp_aged

        # ---- CIN plans: after assessment, after a s47 without a plan, or stepped down from a CP plan
        cin_start = np.where(cp_to_cin, cp_end, np.where(icpc, icpc_date, a_auth))
        cin_plan |= cp_to_cin
        cin_len = np.maximum(28, rng.gamma(1.5, d["cin_plan_days"] / 1.5, n)).astype(np.int64)
        cin_end = np.minimum(cin_start + cin_len, cap)
        cin_to_care = cin_plan & ~cp_to_cin & (rng.random(n) < r["cin_plan_to_care"]) & (cin_end < cap)

        # ---- coming into care
        care = direct_care | cp_to_care | cin_to_care
        care_start = np.select([direct_care, cp_to_care, cin_to_care],
                               [a_start + rng.integers(0, 20, n), cp_end, cin_end], NO_DATE)
        care_start = np.minimum(care_start, cap - 1)
        # Unborn babies cannot be looked after: those pre-birth referrals come into care at birth
        care_start = np.where(care, np.maximum(care_start, dob), care_start)
        care &= care_start < cap - 30
        care &= care_start <= self.end
        route = np.where(rng.random(n) < 0.5, "court", "s20")
        route = np.where(cp_to_care | cin_to_care, np.where(rng.random(n) < 0.8, "court", "s20"), route)

        # ---- closure of the referral (before any care)
        no_plan_close = a_auth + rng.integers(5, 60, n)
        close = np.select(
            [nfa, a_nfa & ~icpc, cin_no_plan & ~icpc, cin_plan, cp & ~cp_to_cin],
            [ref_date, np.maximum(a_auth, np.where(s47, s47_end, a_auth)), np.maximum(no_plan_close, s47_end),
             cin_end, cp_end], np.maximum(a_auth, s47_end))
        close = np.where(s47 & ~icpc, np.maximum(close, s47_end), close)
        close = np.minimum(close, cap)
        # RC8/RC9 mean "closed after assessment" with nothing else done: not after a s47 enquiry
        after_assessment_only = a_nfa & ~s47
        close_reason = np.where(after_assessment_only,
                                np.where((rng.random(n) < 0.3) & (close >= RC9_FROM), "RC9", "RC8"), "RC7")
        # work recorded on the case finishes by the time it closes
        a_auth = np.minimum(a_auth, np.maximum(close, a_start))

        close_before_care = close.copy()
        # ---- care: the referral stays open through the period of care
        care_idx = np.where(care)[0]
        care_end, exit_kind = sim.care.periods(child[care_idx], care_start[care_idx], referral_id[care_idx],
                                               route[care_idx])
        # the CIN plan or CP plan stops the day the child comes into care
        cin_end = np.where(cin_to_care, care_start, cin_end)
        cin_end = np.where(direct_care & cin_plan, care_start, cin_end)
        close_after_care = np.full(n, NO_DATE)
        close_after_care[care_idx] = care_end
        post_care_reason = np.full(n, "RC7", dtype="<U3")
        post_care_reason[care_idx] = np.select(
            [exit_kind == "ADOPT", exit_kind == "SGO", exit_kind == "AGEOUT"], ["RC1", "RC4", "RC6"], "RC7")
        close = np.where(care, close_after_care, close)
        # an assessment is finished by the time the case closes, even when care ended quickly
        a_auth = np.where(care & (close != NO_DATE), np.minimum(a_auth, np.maximum(close, a_start)), a_auth)
        close_reason = np.where(care, post_care_reason, close_reason)

        # ---- nothing is known after the end of the simulation
        end = self.end
        still_open = (close > end) | (close == NO_DATE)
        closed = np.where(still_open, NO_DATE, close)

        def seen(x):
            return x <= end

        assessment_phase_end = np.where(assessed, np.minimum(np.maximum(a_auth, ref_date), close_before_care),
                                        ref_date)
        assessment_phase_end = np.where(care, np.minimum(care_start, assessment_phase_end), assessment_phase_end)
        sim.add_phase(child, referral_id, "ASSESSMENT", ref_date, assessment_phase_end)
        self.records.add(
            "referrals", referral_id=referral_id, child_id=sim.child_id[child], referral_date=ref_date,
            source=source, contact_id=contact_id, primary_need=np.where(nfa, None, need).astype(object),
            referral_nfa=nfa, closure_date=closed, closure_reason=np.where(still_open, None, close_reason).astype(object),
        )
        # assessments
        ai = np.where(assessed & seen(a_start))[0]
        a_done = seen(a_auth[ai])
        a_ids = sim.new_ids("S", len(ai))
        self.records.add(
            "assessments", assessment_id=a_ids, child_id=sim.child_id[child[ai]], referral_id=referral_id[ai],
            start_date=a_start[ai], authorised_date=np.where(a_done, a_auth[ai], NO_DATE),
            child_seen=rng.random(len(ai)) < 0.97,
            outcome_nfa=np.where(a_done, a_nfa[ai], None).astype(object),
        )
        self._assessment_factors(a_ids[a_done], child[ai][a_done], after_assessment_only[ai][a_done])
        # strategy discussions and s47 enquiries
        si = np.where(strategy & seen(sd_date))[0]
        sd_ids = sim.new_ids("D", len(si))
        self.records.add("strategy_discussions", strategy_discussion_id=sd_ids, child_id=sim.child_id[child[si]],
                         referral_id=referral_id[si], discussion_date=sd_date[si], outcome_s47=s47[si])
        sd_of = dict(zip(si.tolist(), sd_ids.tolist()))
        ki = np.where(s47 & seen(sd_date))[0]
        k_done = seen(s47_end[ki])
        s47_ids = sim.new_ids("F", len(ki))
        k_outcome = np.where(icpc[ki], "ICPC", np.where(cin_plan[ki], "CIN_PLAN", "NFA"))
        self.records.add(
            "s47_enquiries", s47_id=s47_ids, child_id=sim.child_id[child[ki]], referral_id=referral_id[ki],
            strategy_discussion_id=np.array([sd_of[i] for i in ki.tolist()], dtype=object), start_date=sd_date[ki],
            end_date=np.where(k_done, s47_end[ki], NO_DATE), outcome=np.where(k_done, k_outcome, None).astype(object),
            icpc_target_date=icpc_target[ki], icpc_not_required=np.where(k_done, ~icpc[ki], None).astype(object),
        )
        s47_of = dict(zip(ki.tolist(), s47_ids.tolist()))
        ci = np.where(icpc & seen(icpc_date))[0]
        icpc_ids = sim.new_ids("I", len(ci))
        self.records.add(
            "initial_cp_conferences", icpc_id=icpc_ids, child_id=sim.child_id[child[ci]], referral_id=referral_id[ci],
            s47_id=np.array([s47_of.get(i) for i in ci.tolist()], dtype=object), target_date=icpc_target[ci],
            conference_date=icpc_date[ci], transfer_in=np.zeros(len(ci), bool), outcome_cp_plan=cp[ci],
        )
        icpc_of = dict(zip(ci.tolist(), icpc_ids.tolist()))
        self._cp_plans(child, referral_id, cp & seen(cp_start), cp_start, cp_end, cp_to_care, cp_to_cin, cp_aged,
                       icpc_of)
        self._cin_plans(child, referral_id, cin_plan & seen(cin_start) & (cin_end > cin_start), cin_start, cin_end)
        # early help after a referral closed with RC9
        to_eh = (close_reason == "RC9") & ~still_open & (closed < cap - 30)
        if to_eh.any():
            # the child's involvement goes on through the early help episode
            eh_end, _ = self.early_help(child[to_eh], closed[to_eh], referral_id[to_eh].astype(object))
            closed = closed.copy()
            closed[to_eh] = eh_end
        work_start = np.where(cp, cp_start, np.where(cin_plan, cin_start, NO_DATE))
        work_end = np.where(care, care_start, np.where(still_open, NO_DATE, closed))
        has_work = (cp | cin_plan) & (work_start <= end)
        sim.add_phase(child[has_work], referral_id[has_work], "SAFEGUARDING", work_start[has_work], work_end[has_work])
        return closed

    def _assessment_factors(self, assessment_ids, child, outcome_nfa):
        """Factors identified at the end of each completed assessment: at least one; "21" (no factors
        identified) only for assessments that end with no further action."""
        rng, sim = self.rng, self.sim
        m = len(assessment_ids)
        codes = [c for c in ASSESSMENT_FACTORS if c != "21"]
        probs = np.array([ASSESSMENT_FACTORS[c] for c in codes])
        hits = rng.random((m, len(codes))) < probs
        none_found = outcome_nfa & (rng.random(m) < 0.5)
        hits[none_found] = False
        empty = ~hits.any(axis=1) & ~none_found
        hits[np.where(empty)[0], rng.choice(len(codes), empty.sum(), p=probs / probs.sum())] = True
        a, f = np.nonzero(hits)
        a = np.concatenate([a, np.where(none_found)[0]])
        f_codes = np.concatenate([np.array(codes)[f], np.full(none_found.sum(), "21")])
        self.records.add("assessment_factors", assessment_id=assessment_ids[a], child_id=sim.child_id[child[a]],
                         factor=f_codes)

    def _cp_plans(self, child, referral_id, mask, start, end, to_care, to_cin, aged, icpc_of):
        rng, sim = self.rng, self.sim
        idx = np.where(mask)[0]
        m = len(idx)
        sim.cp_plan_count[child[idx]] += 1
        plan_ids = sim.new_ids("C", m)
        s, e = start[idx], end[idx]
        still_open = e > self.end
        initial = choice(rng, CATEGORY_OF_ABUSE, m)
        latest = np.where(rng.random(m) < 0.92, initial, choice(rng, CATEGORY_OF_ABUSE, m))
        reason = np.select([to_care[idx], to_cin[idx], aged[idx]], ["LOOKED_AFTER", "STEP_DOWN_CIN", "AGED_18"],
                           "CLOSED")
        self.records.add(
            "cp_plans", cp_plan_id=plan_ids, child_id=sim.child_id[child[idx]], referral_id=referral_id[idx],
            icpc_id=np.array([icpc_of.get(i) for i in idx.tolist()], dtype=object), start_date=s,
            end_date=np.where(still_open, NO_DATE, e), initial_category=initial, latest_category=latest,
            end_reason=np.where(still_open, None, reason).astype(object),
        )
        e_now = np.where(still_open, self.end + 1, e)
        # review conferences: the first within 3 months, then at most every 6 months
        late = np.full(m, 0.05)
        o, due, act = recurring(s, e_now, 91, 182, rng, lateness=late)
        self.records.add("cp_reviews", cp_review_id=sim.new_ids("Q", len(o)), child_id=sim.child_id[child[idx][o]],
                         cp_plan_id=plan_ids[o], due_date=due, review_date=act,
                         plan_continues=(act + 30) < e_now[o])
        # visits at least every 10 working days (about a fortnight)
        vlate = np.full(m, 1 - sim.profile.care.get("cp_visits_in_timescale", 0.9))
        vo, _vd, va = recurring(s, e_now, 10, 14, rng, lateness=vlate)
        seen = rng.random(len(vo)) < 0.93
        self.records.add("cp_visits", cp_visit_id=sim.new_ids("X", len(vo)), child_id=sim.child_id[child[idx][vo]],
                         cp_plan_id=plan_ids[vo], visit_date=va, child_seen=seen,
                         child_seen_alone=seen & (rng.random(len(vo)) < 0.5))

    def _cin_plans(self, child, referral_id, mask, start, end):
        rng, sim = self.rng, self.sim
        idx = np.where(mask)[0]
        m = len(idx)
        plan_ids = sim.new_ids("N", m)
        s, e = start[idx], end[idx]
        still_open = e > self.end
        self.records.add("cin_plans", cin_plan_id=plan_ids, child_id=sim.child_id[child[idx]],
                         referral_id=referral_id[idx], start_date=s, end_date=np.where(still_open, NO_DATE, e))
        e_now = np.where(still_open, self.end + 1, e)
        vo, _vd, va = recurring(s, e_now, 10, 28, rng, lateness=np.full(m, 0.15))
        seen = rng.random(len(vo)) < 0.92
        self.records.add("cin_visits", cin_visit_id=sim.new_ids("Z", len(vo)), child_id=sim.child_id[child[idx][vo]],
                         cin_plan_id=plan_ids[vo], visit_date=va, child_seen=seen,
                         child_seen_alone=seen & (rng.random(len(vo)) < 0.4))
