"""A synthetic local authority: a population of children and the journeys of those who meet services.

Only children who come to the front door are simulated one by one; the rest of
the population exists as counts by age and sex (the ``population`` table), which
is all the rates need. Each child's involvements are simulated in rounds: round
*k* simulates every child's *k*-th involvement at once (vectorised), starting
after their previous case closed, so a child never has two open referrals or two
periods of care at the same time.

The simulation starts ``burn_in_years`` before the reported window so that the
stocks (children on plans, children in care) are already at their steady level
when the window opens; that earlier history is kept, as a case system keeps it.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

import numpy as np
import polars as pl

from carelens.model.tables import TABLES
from carelens.synth.calendar import add_years, day_number
from carelens.synth.front_door import FrontDoor
from carelens.synth.looked_after import CareSimulator
from carelens.synth.profiles import Profile
from carelens.synth.records import NO_DATE, Records, choice, ids
from carelens.synth.workforce import build_workforce

DEFAULT_END = dt.date(2026, 3, 31)
ENGLAND_ETHNICITY = {"WBRI": 0.66, "WIRI": 0.003, "WIRT": 0.002, "WOTH": 0.05, "WROM": 0.005, "MWBC": 0.02,
                     "MWBA": 0.01, "MWAS": 0.015, "MOTH": 0.025, "AIND": 0.025, "APKN": 0.04, "ABAN": 0.015,
                     "AOTH": 0.02, "BCRB": 0.01, "BAFR": 0.035, "BOTH": 0.01, "CHNE": 0.004, "OOTH": 0.02,
                     "REFU": 0.003, "NOBT": 0.018}
# age at first contact with children's services: unborn (-1) and single years 0-17
FIRST_CONTACT_AGE = np.array([0.03, 0.10, 0.045, 0.045, 0.045, 0.045, 0.045, 0.045, 0.045, 0.045, 0.045,
                              0.05, 0.055, 0.06, 0.065, 0.065, 0.06, 0.045, 0.03])
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
POSTCODE_UNIT_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
DEFAULT_POSTCODE_AREAS = ("B", "M", "LS", "S", "NG", "L", "BS", "NE", "CV", "LE", "PO", "SO", "HU", "DN", "ST")


@dataclass(frozen=True)
class AuthoritySpec:
    """Which authority to generate: its DfE number, name, profile and size."""

    la_code: str
    name: str
    profile: Profile
    children: int | None = None

    @property
    def population(self) -> int:
        return self.children or self.profile.children


class AuthoritySimulation:
    """Generates every canonical table for one authority."""

    def __init__(self, spec: AuthoritySpec, years: int = 10, seed: int = 1, end: dt.date = DEFAULT_END,
                 burn_in_years: int = 6):
        self.spec = spec
        self.la_code = spec.la_code
        self.profile = spec.profile
        self.population_size = spec.population
        # every authority gets its own stream of random numbers, fixed by (seed, authority)
        self.rng = np.random.default_rng([seed, zlib.crc32(spec.la_code.encode())])
        self.end_day = day_number(end)
        self.window_start = day_number(dt.date(end.year - years, end.month, end.day)) + 1
        self.start_day = self.window_start - int(burn_in_years * 365.25)
        self.years = years
        first_year = dt.date.fromordinal(dt.date(1970, 1, 1).toordinal() + self.start_day).year
        self.march_31s = np.array([day_number(dt.date(y, 3, 31)) for y in range(first_year, end.year + 2)])
        self.records = Records(source=f"synthetic:{spec.profile.name}")
        self._next_id: dict[str, int] = {}
        self._phases: list[pl.DataFrame] = []
        self.care = CareSimulator(self)
        self.front_door = FrontDoor(self)
        areas = self.profile.postcode_areas or self._areas_for(spec.la_code)
        self.home_area, self.other_areas = areas[0], areas[1:] or ("M",)

    # ---------------------------------------------------------------- helpers
    @staticmethod
    def _areas_for(la_code: str) -> tuple[str, ...]:
        k = zlib.crc32(la_code.encode()) % len(DEFAULT_POSTCODE_AREAS)
        return DEFAULT_POSTCODE_AREAS[k:] + DEFAULT_POSTCODE_AREAS[:k]

    def new_ids(self, prefix: str, n: int) -> np.ndarray:
        start = self._next_id.get(prefix, 1)
        self._next_id[prefix] = start + n
        return np.char.add(self.la_code, ids(prefix, start, n))

    def add_phase(self, child, referral_id, service, start, end) -> None:
        n = len(child)
        if n == 0:
            return
        # nothing is known after the end of the history: a phase still running then is open
        end = np.where(np.asarray(end, np.int64) > self.end_day, NO_DATE, end)
        self._phases.append(pl.DataFrame({
            "child_id": self.child_id[child],
            "referral_id": pl.Series(list(referral_id) if referral_id is not None else [None] * n, dtype=pl.Utf8),
            "service": np.full(n, service), "start": np.asarray(start, np.int64), "end": np.asarray(end, np.int64)}))

    def _postcode(self, areas: np.ndarray) -> np.ndarray:
        n = len(areas)
        rng = self.rng
        district = rng.integers(1, 9, n).astype(str)
        sector = rng.integers(0, 10, n).astype(str)
        units = np.char.add(POSTCODE_UNIT_LETTERS[rng.integers(0, 20, n)], POSTCODE_UNIT_LETTERS[rng.integers(0, 20, n)])
        return np.char.add(np.char.add(np.char.add(areas.astype(str), district), " "), np.char.add(sector, units))

    def postcodes(self, child: np.ndarray, inside: np.ndarray) -> np.ndarray:
        n = len(child)
        other = np.array(self.other_areas)[self.rng.integers(0, len(self.other_areas), n)]
        return self._postcode(np.where(inside, self.home_area, other))

    def home_urns(self, n: int) -> np.ndarray:
        return np.char.add("SC", self.rng.integers(100000, 999999, n).astype(str))

    def agency_urns(self, n: int) -> np.ndarray:
        """URNs of independent fostering and voluntary adoption agencies (a regional pool)."""
        return np.char.add("SC", self.rng.integers(400000, 400400, n).astype(str))

    @property
    def fostering_service_urn(self) -> str:
        """The authority's own fostering service's Ofsted URN (one per authority)."""
        la = int(self.la_code) if self.la_code.isdigit() else 0
        return f"SC{800000 + la:06d}"

    def cin_need_for_period(self, child: np.ndarray) -> np.ndarray:
        return self.cin_need[child]

    # ----------------------------------------------------------------- children
    def _children(self) -> None:
        """Everyone who will meet services, with their first contact date."""
        rng, p = self.rng, self.profile
        span_years = (self.end_day - self.start_day + 1) / 365.25
        contacts_per_year = p.rates["contacts_per_10k"] * self.population_size / 10_000
        # each child comes back to the front door a number of times; only first contacts make new children
        returns = p.rates["return_after_closure"] * 0.78
        new_per_year = contacts_per_year * (1 - returns)
        n = int(rng.poisson(new_per_year * span_years))
        # unaccompanied asylum-seeking children arrive aged 14-17 and come straight into care
        care_starts = p.targets.get("cla_starts_per_10k", 30) * self.population_size / 10_000
        n_uasc = int(rng.poisson(p.rates["uasc_share_of_starts"] * care_starts * span_years))
        first = self.start_day + np.sort(rng.integers(0, self.end_day - self.start_day + 1, n + n_uasc))
        uasc = np.zeros(n + n_uasc, bool)
        uasc[rng.choice(n + n_uasc, n_uasc, replace=False)] = True
        age = rng.choice(np.arange(-1, 18), size=n + n_uasc, p=FIRST_CONTACT_AGE / FIRST_CONTACT_AGE.sum())
        age = np.where(uasc, rng.choice([14, 15, 16, 17], size=n + n_uasc, p=[0.1, 0.25, 0.4, 0.25]), age)
        age_days = np.where(age < 0, -rng.integers(20, 200, n + n_uasc),
                            age * 365 + rng.integers(0, 365, n + n_uasc))
        self.first_contact = first
        self.dob = first - age_days
        # a 17-year-old's first contact must leave time before their 18th birthday
        self.dob = np.maximum(self.dob, first - (17 * 365 + 250))
        total = len(first)
        self.n_children = total
        self.child_id = np.char.add(self.la_code, ids("", 1, total))
        self.uasc = uasc
        self.sex = np.where(uasc, np.where(rng.random(total) < 0.92, "M", "F"),
                            np.where(rng.random(total) < 0.515, "M", "F"))
        eth = p.ethnicity or ENGLAND_ETHNICITY
        self.ethnicity = choice(rng, eth, total)
        self.ethnicity = np.where(uasc, choice(rng, {"BAFR": 0.35, "AOTH": 0.3, "OOTH": 0.25, "WOTH": 0.1}, total),
                                  self.ethnicity)
        self.cin_need = choice(rng, {"N1": 0.62, "N2": 0.03, "N3": 0.03, "N4": 0.08, "N5": 0.15, "N6": 0.02,
                                     "N7": 0.005, "N8": 0.065}, total)
        self.cin_need = np.where(uasc, "N8", self.cin_need)
        self.home_postcode = self._postcode(np.full(total, self.home_area))
        self.referral_count = np.zeros(total, np.int64)
        self.cp_plan_count = np.zeros(total, np.int64)
        self.adopted = np.zeros(total, bool)

    # -------------------------------------------------------------------- rounds
    def run(self) -> dict[str, pl.DataFrame]:
        """Simulate and return every canonical table as a Polars frame."""
        self._children()
        rng, r = self.rng, self.profile.rates
        birthday18 = add_years(self.dob, 18)
        active = np.arange(self.n_children)
        t = self.first_contact.copy()
        force = self.uasc.copy()
        while len(active):
            inv = self.front_door.involvement(active, t, force)
            closed = inv.closed
            comes_back = (closed != NO_DATE) & ((rng.random(len(active)) < r["return_after_closure"])
                                                | inv.early_help_step_up)
            short = rng.random(len(active)) < 0.22
            gap = np.where(short, rng.integers(7, 92, len(active)),
                           rng.exponential(r["return_gap_days"], len(active)).astype(np.int64) + 1)
            gap = np.where(inv.early_help_step_up, 0, gap)
            nxt = closed + gap
            comes_back &= (nxt <= self.end_day) & (nxt < birthday18[active] - 100) & ~self.adopted[active]
            force = inv.early_help_step_up[comes_back]
            active, t = active[comes_back], nxt[comes_back]
        return self._tables()

    def _tables(self) -> dict[str, pl.DataFrame]:
        phases = pl.concat(self._phases) if self._phases else pl.DataFrame()
        care_phase = self.records.to_frame("periods_of_care", self.la_code)
        if len(care_phase):
            phases = pl.concat([phases, pl.DataFrame({
                "child_id": care_phase["child_id"], "referral_id": care_phase["referral_id"],
                "service": np.full(len(care_phase), "CHILDREN_IN_CARE"),
                "start": care_phase["start_date"].cast(pl.Int64),
                "end": care_phase["end_date"].cast(pl.Int64).fill_null(int(NO_DATE))})])
        build_workforce(self, phases)
        self._people()
        self._population()
        frames = {t.name: self.records.to_frame(t.name, self.la_code) for t in TABLES}
        self._deaths(frames)
        # a young person who left care twice is one care leaver: keep the record from the later period
        frames["care_leaver_contacts"] = frames["care_leaver_contacts"].unique(
            ["child_id", "birthday_age"], keep="last", maintain_order=True)
        return frames

    def _deaths(self, frames: dict[str, pl.DataFrame]) -> None:
        """A few children die: their last case closes on the day of death with reason RC2 (died).

        Chosen among children never looked after whose last referral closed with RC7 and who had no
        contact afterwards, so nothing is recorded after a death.
        """
        refs = frames["referrals"]
        last_contact = frames["contacts"].group_by("child_id").agg(last_contact=pl.col("contact_date").max())
        last_ref = refs.sort("referral_date").group_by("child_id", maintain_order=True).last()
        in_care = frames["periods_of_care"]["child_id"].unique()
        born = pl.DataFrame({"child_id": self.child_id, "date_of_birth": self.dob}).with_columns(
            pl.col("date_of_birth").cast(pl.Int32).cast(pl.Date))
        candidates = (last_ref.join(last_contact, on="child_id").join(born, on="child_id")
                      # a child can only die once born
                      .filter(pl.col("date_of_birth") <= pl.col("closure_date"))
                      .filter(pl.col("closure_date").is_not_null() & (pl.col("closure_reason") == "RC7")
                              & (pl.col("last_contact") <= pl.col("closure_date"))
                              & ~pl.col("child_id").is_in(in_care.to_list()))
                      .sort("referral_id"))
        n_deaths = min(len(candidates), int(self.rng.poisson(0.0006 * self.n_children)))
        if n_deaths == 0:
            return
        died = candidates[np.sort(self.rng.choice(len(candidates), n_deaths, replace=False))]
        death_of = dict(zip(died["child_id"].to_list(), died["closure_date"].to_list()))
        frames["person"] = frames["person"].with_columns(
            date_of_death=pl.col("child_id").replace_strict(death_of, default=None, return_dtype=pl.Date))
        frames["referrals"] = refs.with_columns(closure_reason=pl.when(pl.col("referral_id").is_in(died["referral_id"].to_list()))
                                                .then(pl.lit("RC2")).otherwise(pl.col("closure_reason")))

    def _people(self) -> None:
        rng = self.rng
        n = self.n_children
        # only children who actually had a contact are recorded (all of them do, by construction)
        unborn = self.dob > self.end_day
        age_now = (self.end_day - self.dob) / 365.25
        has_upn = age_now >= 5
        upn = np.where(has_upn, self._upns(n), None)
        sex = np.where(unborn, "U", self.sex)
        birthday18 = add_years(self.dob, 18)
        uasc_ceased = np.where(self.uasc & (birthday18 <= self.end_day), birthday18, NO_DATE)
        mother = (self.sex == "F") & (age_now >= 15) & (rng.random(n) < 0.03)
        self.records.add(
            "person", child_id=self.child_id, upn=upn.astype(object),
            upn_unknown=np.where(has_upn, None, np.where(unborn, "UN1", "UN1")).astype(object),
            sex=sex, date_of_birth=self.dob, unborn=unborn, ethnicity=self.ethnicity,
            date_of_death=np.full(n, NO_DATE), uasc=self.uasc, uasc_ceased_date=uasc_ceased,
            is_mother=mother, mother_child_date_of_birth=np.where(mother, self.dob + 15 * 365 + rng.integers(0, 700, n),
                                                                  NO_DATE),
            home_postcode=self.home_postcode)
        # a disability is recorded once a child has been assessed: a code, several, or NONE
        assessed = self.referral_count > 0
        disabled = assessed & (rng.random(n) < 0.12)
        weights = {"LD": 0.3, "AUT": 0.25, "BEH": 0.15, "COMM": 0.1, "MOB": 0.07, "HAND": 0.03,
                   "PC": 0.03, "HEAR": 0.03, "VIS": 0.02, "INC": 0.01, "CON": 0.01}
        first = choice(rng, weights, n)
        second = choice(rng, weights, n)
        several = disabled & (rng.random(n) < 0.3) & (second != first)
        none = assessed & ~disabled & ~unborn
        child = np.concatenate([self.child_id[disabled], self.child_id[several], self.child_id[none]])
        code = np.concatenate([first[disabled], second[several], np.full(none.sum(), "NONE")])
        self.records.add("disabilities", child_id=child, disability=code)

    def _upns(self, n: int) -> np.ndarray:
        rng = self.rng
        la = int(self.la_code) if self.la_code.isdigit() else 999
        digits = np.column_stack([
            np.full(n, la // 100), np.full(n, la // 10 % 10), np.full(n, la % 10),
            rng.integers(0, 10, (n, 4)), rng.integers(0, 10, (n, 2)), rng.integers(0, 10, (n, 3))])
        weights = np.arange(2, 14)
        check = (digits * weights).sum(axis=1) % 23
        letters = np.array(list(UPN_CHECK_LETTERS))[check]
        body = np.apply_along_axis(lambda row: "".join(map(str, row)), 1, digits) if n else np.array([], dtype=str)
        return np.char.add(letters, body.astype(str))

    def _population(self) -> None:
        """Resident children by single year of age and sex, mid-year, for every year simulated."""
        first_year = dt.date.fromordinal(dt.date(1970, 1, 1).toordinal() + self.start_day).year
        last_year = dt.date.fromordinal(dt.date(1970, 1, 1).toordinal() + self.end_day).year
        years = np.arange(first_year, last_year + 1)
        ages = np.arange(18)
        y, a, s = np.meshgrid(years, ages, np.array([0, 1]), indexing="ij")
        per_age = self.population_size / 18
        share = np.where(s == 0, 0.512, 0.488)
        counts = np.round(per_age * share).astype(np.int64)
        self.records.add("population", year=y.ravel().astype(np.int32), age=a.ravel().astype(np.int32),
                         sex=np.where(s.ravel() == 0, "M", "F"), children=counts.ravel())


def generate_authority(spec: AuthoritySpec, years: int = 10, seed: int = 1, end: dt.date = DEFAULT_END,
                       burn_in_years: int = 6) -> dict[str, pl.DataFrame]:
    """Every canonical table for one synthetic authority."""
    return AuthoritySimulation(spec, years=years, seed=seed, end=end, burn_in_years=burn_in_years).run()
