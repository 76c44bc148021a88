"""Profiles: the rates, conversions and durations that drive a synthetic authority.

A profile is a YAML file under ``carelens/synth/profiles/``. ``targets`` are the
headline figures the generated data must reproduce (they are measured by the
calibration test); ``rates``, ``durations``, ``care`` and ``workforce`` are the
knobs the simulator turns. Users can write their own profile file and pass its
path instead of a shipped name.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import yaml

_REQUIRED = {
    "rates": ["contacts_per_10k", "contact_to_referral", "contact_to_early_help", "referral_nfa",
              "strategy_discussion", "strategy_to_s47", "s47_to_icpc", "icpc_to_cp", "assessment_nfa",
              "assessment_to_cin_plan", "direct_to_care", "cin_plan_to_care", "cp_to_care",
              "cp_to_cin_on_end", "return_after_closure", "return_gap_days", "early_help_step_up",
              "uasc_share_of_starts"],
    "durations": ["assessment_working_days_median", "assessment_within_45_wd", "s47_working_days_median",
                  "icpc_within_15_wd", "cp_plan_days", "cin_plan_days", "early_help_days",
                  "care_days_by_entry_age"],
    "care": ["exit_mix", "placement_moves_per_year", "missing_share", "return_interview_offered",
             "return_interview_accepted", "s20_share", "health_assessment_up_to_date", "dental_up_to_date",
             "placement_mix", "own_provision_foster", "in_touch_17_18", "suitable_accommodation", "eet"],
    "workforce": ["caseload_target", "agency_share", "annual_turnover"],
}
# Keys whose values are probabilities (checked to lie in [0, 1]).
_NOT_PROBABILITIES = {"contacts_per_10k", "return_gap_days", "assessment_working_days_median",
                      "s47_working_days_median", "cp_plan_days", "cin_plan_days", "early_help_days",
                      "care_days_by_entry_age", "placement_moves_per_year", "caseload_target", "exit_mix",
                      "placement_mix"}


class ProfileError(ValueError):
    """A profile file is missing a setting or holds an impossible value."""


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    children: int
    targets: dict
    rates: dict
    durations: dict
    care: dict
    workforce: dict
    ethnicity: dict = field(default_factory=dict)
    postcode_areas: tuple[str, ...] = ()
    # the real authority (DfE 3-digit number) whose published figures and statistical neighbours this
    # profile imitates; None: the authority's own number (as for `synth --england`)
    benchmark_against: str | None = None

    def with_children(self, children: int) -> "Profile":
        """The same profile for an authority of a different size."""
        return replace(self, children=int(children))

    def scaled(self, **factors: float) -> "Profile":
        """A copy with demand rates multiplied, e.g. ``scaled(contacts_per_10k=1.2)``."""
        rates = dict(self.rates)
        for key, factor in factors.items():
            rates[key] = rates[key] * factor
        return replace(self, rates=rates)


def shipped_profiles() -> list[str]:
    """Names of the profiles that ship with CareLens."""
    folder = resources.files("carelens.synth") / "profiles"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_profile(name_or_path: str | Path) -> Profile:
    """Load a shipped profile by name, or a profile YAML file by path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.exists():
        text, source = path.read_text(encoding="utf-8"), str(path)
    else:
        resource = resources.files("carelens.synth") / "profiles" / f"{name_or_path}.yaml"
        if not resource.is_file():
            raise ProfileError(f"no profile called {name_or_path!r}; shipped profiles: "
                               f"{', '.join(shipped_profiles())} (or give the path of a .yaml file)")
        text, source = resource.read_text(encoding="utf-8"), f"profile {name_or_path}"
    data = yaml.safe_load(text)
    problems = []
    for section, keys in _REQUIRED.items():
        values = data.get(section) or {}
        for key in keys:
            if key not in values:
                problems.append(f"{section}.{key} is missing")
            elif key not in _NOT_PROBABILITIES and not 0 <= float(values[key]) <= 1:
                problems.append(f"{section}.{key} = {values[key]!r}: expected a probability between 0 and 1")
    for mix in ("exit_mix", "placement_mix"):
        values = (data.get("care") or {}).get(mix) or {}
        if values and abs(sum(values.values()) - 1) > 1e-6:
            problems.append(f"care.{mix} adds up to {sum(values.values()):.3f}: expected 1")
    against = data.get("benchmark_against")
    if against is not None and not (isinstance(against, str) and against.isdigit() and len(against) == 3):
        problems.append(f"benchmark_against = {against!r}: expected a quoted 3-digit DfE authority number "
                        "such as \"890\"")
    if not isinstance(data.get("children"), int) or data["children"] <= 0:
        problems.append(f"children = {data.get('children')!r}: expected a positive whole number")
    if problems:
        raise ProfileError(f"{source}: " + "; ".join(problems))
    return Profile(
        name=data["name"], description=data.get("description", ""), children=data["children"],
        targets=data.get("targets", {}), rates=data["rates"], durations=data["durations"],
        care=data["care"], workforce=data["workforce"], ethnicity=data.get("ethnicity", {}),
        postcode_areas=tuple(data.get("postcode_areas", ())), benchmark_against=against,
    )
