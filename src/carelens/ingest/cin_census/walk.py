"""The walk over a CIN census document: every record gathered into column lists in one pass.

The walk tolerates any shape (the schema reports shape errors): each child, CIN episode, assessment,
CIN plan, section 47 enquiry, CP plan and review found is appended to :class:`Raw`, with the XML element
it came from, so that the frames are built in bulk and every problem can name its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def text_of(el) -> str | None:
    """An element's text, stripped; None when absent or empty."""
    if el is None:
        return None
    t = el.text
    if t is None:
        return None
    t = t.strip()
    return t or None


@dataclass
class Raw:
    """Column lists gathered in one walk over the tree; ``*_el`` hold each row's XML element."""

    # children (Child)
    c_el: list = field(default_factory=list)
    c_id: list = field(default_factory=list)
    c_upn: list = field(default_factory=list)
    c_upn_unknown: list = field(default_factory=list)
    c_birth: list = field(default_factory=list)
    c_expected: list = field(default_factory=list)
    c_sex: list = field(default_factory=list)
    c_death: list = field(default_factory=list)
    c_ethnicity: list = field(default_factory=list)
    c_cins: list = field(default_factory=list)  # number of CINdetails
    gender_el: object = None  # first GenderCurrent element seen
    sex_el: object = None  # first Sex element seen
    cin_plan_el: object = None  # first CINPlanDates element seen
    # disabilities (Disability)
    d_child: list = field(default_factory=list)
    d_el: list = field(default_factory=list)
    d_code: list = field(default_factory=list)
    # referrals (CINdetails)
    r_child: list = field(default_factory=list)
    r_el: list = field(default_factory=list)
    r_date: list = field(default_factory=list)
    r_source: list = field(default_factory=list)
    r_need: list = field(default_factory=list)
    r_closure: list = field(default_factory=list)
    r_reason: list = field(default_factory=list)
    r_nfa: list = field(default_factory=list)
    r_icpc: list = field(default_factory=list)
    r_icpc_line: list = field(default_factory=list)
    # assessments (Assessments)
    a_ref: list = field(default_factory=list)
    a_el: list = field(default_factory=list)
    a_start: list = field(default_factory=list)
    a_authorised: list = field(default_factory=list)
    # assessment factors (AssessmentFactors)
    f_assessment: list = field(default_factory=list)
    f_el: list = field(default_factory=list)
    f_code: list = field(default_factory=list)
    # CIN plans (CINPlanDates)
    n_ref: list = field(default_factory=list)
    n_el: list = field(default_factory=list)
    n_start: list = field(default_factory=list)
    n_end: list = field(default_factory=list)
    # section 47 enquiries (Section47)
    s_ref: list = field(default_factory=list)
    s_el: list = field(default_factory=list)
    s_start: list = field(default_factory=list)
    s_target: list = field(default_factory=list)
    s_icpc: list = field(default_factory=list)
    s_icpc_line: list = field(default_factory=list)
    s_not_required: list = field(default_factory=list)
    # CP plans (ChildProtectionPlans)
    p_ref: list = field(default_factory=list)
    p_el: list = field(default_factory=list)
    p_start: list = field(default_factory=list)
    p_end: list = field(default_factory=list)
    p_initial: list = field(default_factory=list)
    p_latest: list = field(default_factory=list)
    p_previous: list = field(default_factory=list)
    # CP reviews (CPPreviewDate)
    v_plan: list = field(default_factory=list)
    v_el: list = field(default_factory=list)
    v_date: list = field(default_factory=list)


def walk(root) -> Raw:
    """Every record of the tree as column lists, tolerating any shape (the schema reports shape errors)."""
    raw = Raw()
    for block in root:
        if block.tag != "Children":
            continue
        for child in block:
            if child.tag == "Child":
                _walk_child(child, raw)
    return raw


def _walk_child(child, raw: Raw) -> None:
    # Hot loop: one visit per element, text stripped inline; where an element is repeated the last one
    # wins (the schema reports the repeat).
    ci = len(raw.c_el)
    raw.c_el.append(child)
    child_id = upn = upn_unknown = birth = expected = gender = sex = death = ethnicity = None
    cins = 0
    for part in child:
        tag = part.tag
        if tag == "CINdetails":
            cins += 1
            _walk_cin(part, ci, raw)
        elif tag == "ChildIdentifiers":
            for e in part:
                tag = e.tag
                t = e.text
                if t is not None:
                    t = t.strip() or None
                if tag == "LAchildID":
                    child_id = t
                elif tag == "UPN":
                    upn = t
                elif tag == "PersonBirthDate":
                    birth = t
                elif tag == "Sex":
                    sex = t
                    if raw.sex_el is None:
                        raw.sex_el = e
                elif tag == "GenderCurrent":
                    gender = t
                    if raw.gender_el is None:
                        raw.gender_el = e
                elif tag == "UPNunknown":
                    upn_unknown = t
                elif tag == "ExpectedPersonBirthDate":
                    expected = t
                elif tag == "PersonDeathDate":
                    death = t
        elif tag == "ChildCharacteristics":
            for e in part:
                tag = e.tag
                if tag == "Ethnicity":
                    ethnicity = text_of(e)
                elif tag == "Disabilities":
                    for d in e:
                        if d.tag == "Disability":
                            raw.d_child.append(ci)
                            raw.d_el.append(d)
                            raw.d_code.append(text_of(d))
    raw.c_id.append(child_id)
    raw.c_upn.append(upn)
    raw.c_upn_unknown.append(upn_unknown)
    raw.c_birth.append(birth)
    raw.c_expected.append(expected)
    raw.c_sex.append((gender, sex))
    raw.c_death.append(death)
    raw.c_ethnicity.append(ethnicity)
    raw.c_cins.append(cins)


def _walk_cin(cin, ci: int, raw: Raw) -> None:
    ri = len(raw.r_el)
    raw.r_child.append(ci)
    raw.r_el.append(cin)
    referred = source = need = closed = reason = nfa = icpc = None
    icpc_line = 0
    for part in cin:
        tag = part.tag
        if tag == "Assessments":
            ai = len(raw.a_el)
            raw.a_ref.append(ri)
            raw.a_el.append(part)
            started = authorised = None
            for e in part:
                tag = e.tag
                if tag == "AssessmentActualStartDate":
                    started = text_of(e)
                elif tag == "AssessmentAuthorisationDate":
                    authorised = text_of(e)
                elif tag == "FactorsIdentifiedAtAssessment":
                    for f in e:
                        if f.tag == "AssessmentFactors":
                            raw.f_assessment.append(ai)
                            raw.f_el.append(f)
                            raw.f_code.append(text_of(f))
            raw.a_start.append(started)
            raw.a_authorised.append(authorised)
        elif tag == "Section47":
            raw.s_ref.append(ri)
            raw.s_el.append(part)
            started = target = held = not_required = None
            held_line = 0
            for e in part:
                tag = e.tag
                if tag == "S47ActualStartDate":
                    started = text_of(e)
                elif tag == "InitialCPCtarget":
                    target = text_of(e)
                elif tag == "DateOfInitialCPC":
                    held = text_of(e)
                    held_line = e.sourceline or 0
                elif tag == "ICPCnotRequired":
                    not_required = text_of(e)
            raw.s_start.append(started)
            raw.s_target.append(target)
            raw.s_icpc.append(held)
            raw.s_icpc_line.append(held_line)
            raw.s_not_required.append(not_required)
        elif tag == "ChildProtectionPlans":
            pi = len(raw.p_el)
            raw.p_ref.append(ri)
            raw.p_el.append(part)
            started = ended = initial = latest = previous = None
            for e in part:
                tag = e.tag
                if tag == "NumberOfPreviousCPP":
                    previous = text_of(e)
                elif tag == "CPPstartDate":
                    started = text_of(e)
                elif tag == "CPPendDate":
                    ended = text_of(e)
                elif tag == "InitialCategoryOfAbuse":
                    initial = text_of(e)
                elif tag == "LatestCategoryOfAbuse":
                    latest = text_of(e)
                elif tag == "Reviews":
                    for v in e:
                        if v.tag == "CPPreviewDate":
                            raw.v_plan.append(pi)
                            raw.v_el.append(v)
                            raw.v_date.append(text_of(v))
            raw.p_start.append(started)
            raw.p_end.append(ended)
            raw.p_initial.append(initial)
            raw.p_latest.append(latest)
            raw.p_previous.append(previous)
        elif tag == "CINPlanDates":
            if raw.cin_plan_el is None:
                raw.cin_plan_el = part
            raw.n_ref.append(ri)
            raw.n_el.append(part)
            started = ended = None
            for e in part:
                tag = e.tag
                if tag == "CINPlanStartDate":
                    started = text_of(e)
                elif tag == "CINPlanEndDate":
                    ended = text_of(e)
            raw.n_start.append(started)
            raw.n_end.append(ended)
        else:
            t = part.text
            if t is not None:
                t = t.strip() or None
            if tag == "CINreferralDate":
                referred = t
            elif tag == "ReferralSource":
                source = t
            elif tag == "PrimaryNeedCode":
                need = t
            elif tag == "CINclosureDate":
                closed = t
            elif tag == "ReasonForClosure":
                reason = t
            elif tag == "ReferralNFA":
                nfa = t
            elif tag == "DateOfInitialCPC":
                icpc = t
                icpc_line = part.sourceline or 0
    raw.r_date.append(referred)
    raw.r_source.append(source)
    raw.r_need.append(need)
    raw.r_closure.append(closed)
    raw.r_reason.append(reason)
    raw.r_nfa.append(nfa)
    raw.r_icpc.append(icpc)
    raw.r_icpc_line.append(icpc_line)
