"""The Annex A template's texts of each coded column, and the store code each one means.

The template gives coded columns as text ("a) Male", "d) Emotional Abuse", "g) A3: Placed for
adoption …"); a :class:`~carelens.ingest.coded_text.Coding` per column maps its texts to codes of
a store code list. :data:`CODINGS` names each one by the ``kind`` a column of
:data:`~carelens.ingest.annex_a.lists.LISTS` gives. The older template's group values ("a) Foster
placement") are in each coding's ``group``: they name a group of codes, and are stored as the
group's catch-all code.
"""

from __future__ import annotations

from carelens.ingest.coded_text import NOT_GIVEN, SKIP_ROW, Coding, texts

WRITTEN: dict[str, str] = {}
"""Text key → the text as first written in the tables below, for the problems' words. One record for
every table here, so a key shows as its first table wrote it ("Not stated" in SEX, also in
CLOSURE_REASON's problems)."""


def _t(*pairs: tuple[str, str | tuple[str, ...]]) -> dict[str, str | tuple[str, ...]]:
    return texts(*pairs, written=WRITTEN)


def _coding(*args, **kwargs) -> Coding:
    """A :class:`Coding` whose problems show its texts as these tables write them."""
    return Coding(*args, **kwargs, written=WRITTEN)


# Gender (Annex A asks for gender; the store holds sex). Male and female pass through; every
# other answer (not stated, unborn, neither, indeterminate, transgender, …) is U, "unknown".
SEX = _coding("sex", _t(
    ("Male", "M"), ("M", "M"), ("1", "M"), ("1 - Male", "M"), ("Boy", "M"), ("Man", "M"),
    ("Female", "F"), ("F", "F"), ("2", "F"), ("2 - Female", "F"), ("Girl", "F"), ("Woman", "F"),
    ("Not stated/recorded", "U"), ("Not stated/recorded (or unborn)", "U"), ("Not stated", "U"),
    ("Not recorded", "U"), ("Not known", "U"), ("Unknown", "U"), ("U", "U"), ("0", "U"), ("9", "U"),
    ("0 - Not known", "U"), ("0 - Not recorded", "U"), ("0 - Not stated", "U"), ("Unborn", "U"),
    ("Unborn/Unknown", "U"), ("Not recorded/Unborn", "U"), ("Indeterminate", "U"), ("I", "U"),
    ("Neither", "U"), ("Non-binary", "U"), ("Transgender", "U"), ("Transgender male", "U"),
    ("Transgender female", "U"), ("Unspecified", "U"), ("Not specified", "U"), ("Withheld", "U"),
    ("Prefer not to say", "U"),
), use_codes=False, use_labels=False)

YES_NO = _coding(None, _t(
    ("Yes", "Y"), ("Y", "Y"), ("True", "Y"), ("1", "Y"),
    ("No", "N"), ("N", "N"), ("False", "N"), ("0", "N"),
), use_codes=False, use_labels=False)
YES_NO_UNKNOWN = _coding(None, {**YES_NO.text, **_t(
    ("Unknown", NOT_GIVEN), ("Not known", NOT_GIVEN), ("Not recorded", NOT_GIVEN), ("U", NOT_GIVEN),
    ("N/A", NOT_GIVEN), ("NA", NOT_GIVEN), ("Not applicable", NOT_GIVEN),
)}, use_codes=False, use_labels=False)

# Lists 1 and 3. The 2023 template gives the CIN code ("a) 1A: Individual"); the older one gives
# the group only. Individual, health and LA services groups have several CIN codes: the group's
# "other" code is stored (1D, 3F, 5B).
SOURCE = _coding("referral_source", _t(
    ("Schools", "2A"), ("Education services", "2B"), ("Housing", "4"), ("Police", "6"),
    ("Other legal agency", "7"), ("Other", "8"), ("Anonymous", "9"), ("Unknown", "10"),
), group=_t(("Individual", "1D"), ("Health services", "3F"), ("LA services", "5B")))

PRIMARY_NEED = _coding("cin_primary_need", _t(
    ("Abuse or neglect", "N1"), ("Abuse, neglect and exploitation", "N1"), ("Child's disability", "N2"),
    ("Parents illness or disability", "N3"), ("Parental illness or disability", "N3"),
    ("Parental disability or illness", "N3"), ("Family in acute stress", "N4"),
    ("Family dysfunction", "N5"), ("Socially unacceptable behaviour", "N6"), ("Low income", "N7"),
    ("Absent parenting", "N8"), ("Not CIN", "N9"), ("Cases other than children in need", "N9"),
    ("Not stated", "N0"),
))

CLOSURE_REASON = _coding("cin_closure_reason", _t(
    ("Adopted", "RC1"), ("Died", "RC2"), ("Residence Order", "RC3"), ("Child arrangements order", "RC3"),
    ("Special Guardianship Order", "RC4"), ("Transfer to another LA", "RC5"),
    ("Transfer to Adult Social Services", "RC6"), ("'Other' incl. Child no longer in need", "RC7"),
    ("Child not in need after assessment", "RC8"), ("Not Stated", NOT_GIVEN),
))

CATEGORY_OF_ABUSE = _coding("category_of_abuse", _t(
    ("Neglect", "NEG"), ("Physical abuse", "PHY"), ("Physical", "PHY"), ("Sexual abuse", "SAB"),
    ("Sexual", "SAB"), ("Emotional abuse", "EMO"), ("Emotional", "EMO"), ("Multiple", "MUL"),
    ("Multiple/not recommended", "MUL"),
))

LEGAL_STATUS = _coding("legal_status", _t(
    ("Interim care orders", "C1"), ("Interim care order", "C1"), ("Full care orders", "C2"),
    ("Full care order", "C2"), ("Freed for adoption", "D1"), ("Placement order granted", "E1"),
    ("Accommodated under S20", "V2"), ("Single period under S20", "V2"),
), group=_t(
    ("Detained on child protection grounds in LA accommodation", "L1"),
    ("Detained on child protection grounds in LA accomodation", "L1"),
    ("Youth justice legal statuses", "J1"),
))

REASON_CEASED = _coding("reason_episode_ceased", _t(
    ("Died", "E2"), ("Care taken by another LA", "E3"),
    ("Left care to live with parents, relatives or other person with no parental responsibility", "E13"),
    ("Residence order granted", "E41"), ("Transferred to residential care funded by adult social services", "E7"),
    ("Sentenced to custody", "E9"), ("Accommodation on remand ended", "E14"),
    ("Age assessment determined child was 18 or over", "E15"), ("Child moved abroad", "E16"),
    ("Care ceased for any other reason", "E8"),
), group=_t(
    ("Adopted", "E11"), ("Returned home to live with parents or relatives", "E4A"),
    ("Special Guardianship Orders", ("E48", "E44")), ("Moved into independent living", "E5"),
))

PLACEMENT_TYPE = _coding("placement_type", _t(
    ("Placed with parents", "P1"), ("Independent living", "P2"), ("Residential employment", "P3"),
    ("Residential accommodation", "H5"), ("Secure children's homes", "K1"), ("Children's homes", "K2"),
    ("Residential care home", "R1"), ("NHS/Health Trust", "R2"),
    ("Family centre or mother and baby unit", "R3"), ("Young offender institution", "R5"),
    ("Residential school", "S1"), ("Other placements", "Z1"), ("Temporary placement", "T0"),
), group=_t(("Foster placement", "U6"), ("Placed for adoption", "A6")))

# "c) Other" is any of PR0, PR2, PR3, PR5: stored empty (the column may be empty) and counted.
PROVIDER = _coding("placement_provider", _t(
    ("Own LA", "PR1"), ("Private", "PR4"), ("Other", NOT_GIVEN),
))

PLACEMENT_LOCATION = _coding(None, _t(("In", "Y"), ("Inside", "Y"), ("Out", "N"), ("Outside", "N")),
                            use_codes=False, use_labels=False)

ELIGIBILITY = _coding("care_leaver_eligibility", _t(
    ("Relevant", "RELEVANT"), ("Relevant child", "RELEVANT"), ("Former relevant", "FORMER_RELEVANT"),
    ("Former relevant child", "FORMER_RELEVANT"), ("Eligible", "ELIGIBLE"), ("Eligible child", "ELIGIBLE"),
    ("Qualifying", NOT_GIVEN), ("Qualifying care leaver", NOT_GIVEN), ("Other", NOT_GIVEN),
    ("No current eligibility", NOT_GIVEN),
), use_labels=False)

IN_TOUCH = _coding("care_leaver_in_touch", _t(
    ("In touch", "YES"), ("Yes", "YES"), ("Y", "YES"), ("Not in touch", "NO"), ("No", "NO"), ("N", "NO"),
    ("Died", "DIED"), ("Refu", "REFU"), ("Refused", "REFU"), ("NREQ", "NREQ"), ("RHOM", "RHOM"),
    ("Not recorded", SKIP_ROW), ("Exclude", SKIP_ROW),
))

ACCOMMODATION_TYPE = _coding(None, _t(
    ("With parents or relatives", "B"), ("Community home", "C"),
    ("Semi-independent transitional accommodation", "D"), ("Supported lodgings", "E"), ("Gone abroad", "G"),
    ("Deported", "H"), ("Ordinary lodgings", "K"), ("Residence not known", "R"),
    ("No fixed abode / homeless", "S"), ("Foyers", "T"), ("Independent living", "U"),
    ("Emergency accommodation", "V"), ("Bed and breakfast", "W"), ("In custody", "X"),
    ("With former foster carer", "Z"), ("Other accommodation", "Y"),
    *((c, c) for c in "BCDEGHKRSTUVWXYZ"),
), use_codes=False, use_labels=False)

SUITABILITY = _coding(None, _t(
    ("Suitable", "1"), ("1", "1"), ("Yes", "1"), ("Y", "1"), ("Unsuitable", "2"), ("Not suitable", "2"),
    ("2", "2"), ("No", "2"), ("N", "2"), ("Not in touch or not recorded", NOT_GIVEN), ("Unknown", NOT_GIVEN),
    ("Not recorded", NOT_GIVEN), ("Exclude", NOT_GIVEN),
), use_codes=False, use_labels=False)

ACTIVITY = _coding("care_leaver_activity", {})

DECISION_REVERSED_REASON = _coding("reason_placed_ceased", _t(
    ("Child's needs changed", "RD1"), ("Court did not make a PO", "RD2"),
    ("Prospective adopters cannot be found", "RD3"), ("Any other reason", "RD4"),
))

CODINGS: dict[str, Coding] = {
    "sex": SEX, "yes_no": YES_NO, "yes_no_unknown": YES_NO_UNKNOWN, "source": SOURCE,
    "primary_need": PRIMARY_NEED, "closure_reason": CLOSURE_REASON, "category_of_abuse": CATEGORY_OF_ABUSE,
    "legal_status": LEGAL_STATUS, "reason_ceased": REASON_CEASED, "placement_type": PLACEMENT_TYPE,
    "provider": PROVIDER, "placement_location": PLACEMENT_LOCATION, "eligibility": ELIGIBILITY,
    "in_touch": IN_TOUCH, "accommodation": ACCOMMODATION_TYPE, "suitability": SUITABILITY,
    "activity": ACTIVITY, "reversed_reason": DECISION_REVERSED_REASON,
}
