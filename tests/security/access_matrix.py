"""The access matrix: who may read or do what, on what, as data (issue 18 item 3; ADR 15; docs/access-matrix.md).

One row is (service, method, route, scope) -> expected answer. The scope says how the caller relates to the
object the route names (the referent CPIP of the case, another CPIP, a partner of another organisation...);
each service's world in `test_access_matrix.py` builds the objects once and says which user each scope is.
The expected answer is a status, and for a refusal the rule it names; for a 200 or 201, which fields the
body must hold or lack (dotted paths: "identity.birth_date") and which texts must or must not appear in it.

The rules stated here are DOMAIN.md's need-to-know: where the code disagreed, the code was changed. Rows
that would need a larger change are not here: see docs/access-matrix.md, "Not yet in the matrix". The
establishment perimeter (ADR 26) is a dimension of its own: the same users with a token of
another establishment, at the end of the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Scope(StrEnum):
    """How the caller relates to the object of the route."""

    REFERENT = "referent CPIP of the case"
    OTHER_CPIP = "another CPIP"
    DPIP = "DPIP"
    PSY_ASKED = "psychologist with a contribution request"
    PSY_NOT_ASKED = "psychologist without"
    SOCIAL_ASKED = "social worker with a contribution request"
    SOCIAL_NOT_ASKED = "social worker without"
    FACILITATOR = "facilitator of the group"
    NOT_FACILITATOR = "psychologist who runs no group of it"
    IPRO_ADVISER = "IPRO adviser"
    OTHER_ADVISER = "another IPRO adviser"
    IPRO_HEAD = "IPRO head"
    RIPRO = "RIPRO"
    DIRECTION = "direction"
    AUDITOR = "auditeur"
    # An auditor reading in clear (kernel.pseudonyms, ADR 31): `Purpose: bris-de-glace: <motif>`.
    AUDITOR_BREAK_GLASS = "auditeur breaking the glass"
    PARTNER = "partner of the organisation"
    OTHER_PARTNER = "partner of another organisation"
    PARTNER_WITHOUT_ORGANISATION = "partner token naming no organisation"
    NO_TOKEN = "no token"
    # The establishment perimeter (ADR 26): the same users as above, their token listing another
    # establishment only; and a DPIP whose token lists none.
    REFERENT_ELSEWHERE = "referent CPIP of the case, token of another establishment"
    DPIP_ELSEWHERE = "DPIP of another establishment"
    PSY_ASKED_ELSEWHERE = "psychologist with a contribution request, token of another establishment"
    FACILITATOR_ELSEWHERE = "facilitator of the group, token of another establishment"
    ADVISER_ELSEWHERE = "IPRO adviser of the pathway, token of another establishment"
    IPRO_HEAD_ELSEWHERE = "IPRO head of another establishment"
    DIRECTION_ELSEWHERE = "direction of another establishment"
    AUDITOR_ELSEWHERE = "auditeur of another establishment"
    NO_ESTABLISHMENT = "DPIP token naming no establishment"


@dataclass(frozen=True)
class Row:
    service: str
    method: str
    route: str  # a path template; the world fills its placeholders
    scope: Scope
    status: int
    rule: str | None = None  # the rule a 403 names
    present: frozenset[str] = field(default_factory=frozenset)  # dotted fields the body holds (not empty)
    absent: frozenset[str] = field(default_factory=frozenset)  # missing, null or empty
    shows: frozenset[str] = field(default_factory=frozenset)  # texts (world constants) the body holds
    hides: frozenset[str] = field(default_factory=frozenset)  # texts it must not hold
    items: int | None = None  # how many items a list answers
    body: str | None = None  # the world's body for a command

    @property
    def id(self) -> str:
        return f"{self.service} {self.method} {self.route} [{self.scope.value}] -> {self.status}"


ROLE = "role-not-allowed"
CASELOAD = "not-on-caseload"
NOT_ASKED = "contribution-not-requested"


def rows(
    service: str, method: str, route: str, expected: dict[Scope, tuple], body: str | None = None
) -> list[Row]:
    """One row per scope: `{Scope.DPIP: (200, {"present": {...}}), Scope.OTHER_CPIP: (403, CASELOAD)}`."""
    made = []
    for scope, answer in expected.items():
        status, detail = answer[0], (answer[1] if len(answer) > 1 else None)
        if isinstance(detail, str):
            made.append(Row(service, method, route, scope, status, rule=detail, body=body))
        else:
            options = {k: frozenset(v) if isinstance(v, set) else v for k, v in (detail or {}).items()}
            made.append(Row(service, method, route, scope, status, body=body, **options))
    return made


def refused_to(scopes, rule: str = ROLE) -> dict[Scope, tuple]:
    return {scope: (403, rule) for scope in scopes}


# --- assessment: a person's case, assessment, plan, interviews and ESPACE notes ------------------------

# What a case shows beyond the person's name and follow-up: for the SPIP, not for IPRO, the governor's
# office or auditors (DOMAIN.md: prison management does not see assessment content; security review M1).
CASE_DETAILS = {"identity.birth_date", "identity.ecrou_number", "sentence.offence_categories"}
CASE_CORE = {
    "case_id",
    "subject_id",
    "identity.last_name",
    "referent",
    "establishment",
    "sentence.expected_end_date",
}
FULL_ASSESSMENT = {"domains", "protective_factors", "receptivity", "contributions", "return_comments"}
SUMMARY = {"overall_risk_level", "priority_axes", "education_employment"}

SPIP_CASE = (200, {"present": CASE_CORE | CASE_DETAILS})
SHARED_CASE = (200, {"present": CASE_CORE, "absent": CASE_DETAILS})
# Auditors read the person under their pseudonym (ADR 31), by name when they break the glass.
PSEUDONYMISED_CASE = (200, {"present": CASE_CORE, "absent": CASE_DETAILS, "hides": {"NAME"}})
BROKEN_GLASS_CASE = (200, {"present": CASE_CORE, "absent": CASE_DETAILS, "shows": {"NAME"}})
FULL = (200, {"present": SUMMARY | FULL_ASSESSMENT, "shows": {"PSYCHOLOGIST_TEXT", "EVIDENCE"}})
SUMMARY_ONLY = (200, {"present": SUMMARY, "absent": FULL_ASSESSMENT, "hides": {"EVIDENCE"}})
EVERY_NOTE = (200, {"shows": {"INTERVIEW_NOTES", "CONFIDENTIAL_NOTES"}})
OPEN_NOTES = (200, {"shows": {"INTERVIEW_NOTES"}, "hides": {"CONFIDENTIAL_NOTES"}})

NOT_SPIP = (Scope.IPRO_ADVISER, Scope.IPRO_HEAD, Scope.RIPRO, Scope.DIRECTION, Scope.AUDITOR, Scope.PARTNER)
CONTRIBUTORS = (Scope.PSY_ASKED, Scope.PSY_NOT_ASKED, Scope.SOCIAL_ASKED, Scope.SOCIAL_NOT_ASKED)
UNAUTHENTICATED = {Scope.NO_TOKEN: (401,)}

ASSESSMENT = [
    *rows(
        "assessment",
        "GET",
        "/cases",
        {
            Scope.REFERENT: (200, {"items": 1}),  # a CPIP's list is their caseload
            Scope.OTHER_CPIP: (200, {"items": 1}),
            Scope.DPIP: (200, {"items": 2}),
            # psychologists and social workers: the cases they were asked to contribute to (review H4)
            Scope.PSY_ASKED: (200, {"items": 1}),
            Scope.PSY_NOT_ASKED: (200, {"items": 0}),
            Scope.SOCIAL_ASKED: (200, {"items": 1}),
            Scope.SOCIAL_NOT_ASKED: (200, {"items": 0}),
            Scope.IPRO_ADVISER: (200, {"items": 2}),
            Scope.DIRECTION: (200, {"items": 2}),
            Scope.AUDITOR: (200, {"items": 2}),
            Scope.PARTNER: (403, ROLE),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "assessment",
        "GET",
        "/cases/{case_id}",
        {
            Scope.REFERENT: SPIP_CASE,
            Scope.OTHER_CPIP: (403, CASELOAD),
            Scope.DPIP: SPIP_CASE,
            Scope.PSY_ASKED: SPIP_CASE,
            Scope.PSY_NOT_ASKED: (404,),  # a case they were not asked about, as a missing one
            Scope.SOCIAL_ASKED: SPIP_CASE,
            Scope.SOCIAL_NOT_ASKED: (404,),
            Scope.IPRO_ADVISER: SHARED_CASE,
            Scope.IPRO_HEAD: SHARED_CASE,
            Scope.RIPRO: SHARED_CASE,
            Scope.DIRECTION: SHARED_CASE,
            Scope.AUDITOR: PSEUDONYMISED_CASE,
            Scope.AUDITOR_BREAK_GLASS: BROKEN_GLASS_CASE,
            Scope.PARTNER: (403, ROLE),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "assessment",
        "GET",
        "/assessments/{assessment_id}",
        {
            Scope.REFERENT: FULL,
            Scope.OTHER_CPIP: (403, CASELOAD),
            Scope.DPIP: FULL,
            Scope.PSY_ASKED: FULL,
            Scope.PSY_NOT_ASKED: (403, NOT_ASKED),
            Scope.SOCIAL_ASKED: FULL,
            Scope.SOCIAL_NOT_ASKED: (403, NOT_ASKED),
            Scope.IPRO_ADVISER: SUMMARY_ONLY,
            Scope.IPRO_HEAD: SUMMARY_ONLY,
            Scope.RIPRO: SUMMARY_ONLY,
            Scope.DIRECTION: (403, ROLE),
            Scope.AUDITOR: SUMMARY_ONLY,
            Scope.PARTNER: (403, ROLE),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "assessment",
        "GET",
        "/plans/{plan_id}",
        {
            Scope.REFERENT: (200, {"present": {"objectives", "review_date"}, "shows": {"OBJECTIVE"}}),
            Scope.OTHER_CPIP: (403, CASELOAD),
            Scope.DPIP: (200, {"present": {"objectives"}}),
            # An objective is the CPIP's words about the person: masked, in clear by breaking the glass.
            Scope.AUDITOR: (200, {"present": {"objectives"}, "hides": {"OBJECTIVE"}}),
            Scope.AUDITOR_BREAK_GLASS: (200, {"shows": {"OBJECTIVE"}}),
            Scope.PSY_ASKED: (200, {"present": {"objectives"}}),
            Scope.PSY_NOT_ASKED: (404,),  # the plan of a case they do not see
            Scope.SOCIAL_ASKED: (200, {"present": {"objectives"}}),
            Scope.SOCIAL_NOT_ASKED: (404,),
            Scope.IPRO_ADVISER: (200, {"present": {"objectives"}}),
            Scope.DIRECTION: (403, ROLE),
            Scope.PARTNER: (403, ROLE),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "assessment",
        "GET",
        "/cases/{case_id}/interviews",
        {
            Scope.REFERENT: OPEN_NOTES,
            Scope.OTHER_CPIP: (403, CASELOAD),
            Scope.DPIP: EVERY_NOTE,
            Scope.PSY_ASKED: EVERY_NOTE,  # the author of the confidential note
            Scope.PSY_NOT_ASKED: (404,),  # the interviews of a case they do not see
            Scope.SOCIAL_ASKED: OPEN_NOTES,
            Scope.SOCIAL_NOT_ASKED: (404,),
            **refused_to(NOT_SPIP),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "assessment",
        "GET",
        "/cases/{case_id}/espace-notes",
        {
            Scope.DPIP: (200, {"shows": {"ESPACE_TEXT"}}),
            **refused_to((Scope.REFERENT, *CONTRIBUTORS, *NOT_SPIP)),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "assessment",
        "GET",
        "/deadlines",
        {
            Scope.REFERENT: (200,),
            Scope.DPIP: (200,),
            **refused_to((Scope.PSY_ASKED, Scope.SOCIAL_ASKED, *NOT_SPIP)),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "assessment",
        "POST",
        "/cases/{case_id}/interviews",
        {
            Scope.REFERENT: (201, {"present": {"interview_id"}}),
            Scope.OTHER_CPIP: (403, CASELOAD),
            Scope.PSY_ASKED: (201, {"present": {"interview_id"}}),
            Scope.PSY_NOT_ASKED: (404,),  # writing an interview is no way into a case they do not see
            Scope.SOCIAL_NOT_ASKED: (404,),
            **refused_to(NOT_SPIP),
            **UNAUTHENTICATED,
        },
        body="interview",
    ),
    # Interview appointments (convocations): a time and a room, read as the interviews are; scheduled, moved
    # and cancelled by the referent CPIP or a DPIP.
    *rows(
        "assessment",
        "GET",
        "/cases/{case_id}/appointments",
        {
            Scope.REFERENT: (200,),
            Scope.OTHER_CPIP: (403, CASELOAD),
            Scope.DPIP: (200,),
            Scope.PSY_ASKED: (200,),
            Scope.PSY_NOT_ASKED: (404,),
            Scope.SOCIAL_ASKED: (200,),
            Scope.SOCIAL_NOT_ASKED: (404,),
            **refused_to(NOT_SPIP),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "assessment",
        "GET",
        "/cases/{case_id}/appointments/{appointment_id}",
        {
            Scope.REFERENT: (200, {"present": {"starts_at", "place", "officer"}}),
            Scope.OTHER_CPIP: (403, CASELOAD),
            Scope.PSY_NOT_ASKED: (404,),
            **refused_to(NOT_SPIP),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "assessment",
        "POST",
        "/cases/{case_id}/appointments",
        {
            Scope.REFERENT: (201, {"present": {"interview_id", "starts_at"}}),
            Scope.OTHER_CPIP: (403, CASELOAD),
            Scope.DPIP: (201, {"present": {"interview_id"}}),
            **refused_to((*CONTRIBUTORS, *NOT_SPIP)),
            **UNAUTHENTICATED,
        },
        body="appointment",
    ),
    *rows(
        "assessment",
        "POST",
        "/cases/{case_id}/appointments/{appointment_id}/cancel",
        {Scope.OTHER_CPIP: (403, CASELOAD), **refused_to((*CONTRIBUTORS, *NOT_SPIP)), **UNAUTHENTICATED},
    ),
    *rows(
        "assessment",
        "POST",
        "/cases/{case_id}/sentence",
        {Scope.OTHER_CPIP: (403, CASELOAD), **refused_to(CONTRIBUTORS + NOT_SPIP), **UNAUTHENTICATED},
        body="sentence",
    ),
    *rows(
        "assessment",
        "POST",
        "/assessments/{assessment_id}/contributions",
        {
            Scope.PSY_NOT_ASKED: (403, NOT_ASKED),
            Scope.SOCIAL_NOT_ASKED: (403, NOT_ASKED),
            **refused_to((Scope.REFERENT, Scope.DPIP, *NOT_SPIP)),
            **UNAUTHENTICATED,
        },
        body="contribution",
    ),
    *rows(
        "assessment",
        "PUT",
        "/cases/{case_id}/identity",
        {
            Scope.DPIP: (200, {"present": {"identity.last_name", "identity.ecrou_number"}}),
            Scope.REFERENT: (403, ROLE),
            Scope.PARTNER: (403, ROLE),
            **UNAUTHENTICATED,
        },
        body="identity",
    ),
    *rows(
        "assessment",
        "POST",
        "/cases/{case_id}/espace-notes",
        {**refused_to((Scope.REFERENT, *CONTRIBUTORS, *NOT_SPIP)), **UNAUTHENTICATED},
        body="note",
    ),
]

# --- partners: an organisation, its contacts, proposals and catalogue actions ----------------------------

# Staff of the establishment read every organisation; a partner its own only: another organisation's answers
# 404, exactly as a missing one (ADR 15), and its lists hold its own. A token naming no organisation sees
# nothing, never everything.
STAFF = (
    Scope.REFERENT,
    Scope.DPIP,
    Scope.IPRO_ADVISER,
    Scope.IPRO_HEAD,
    Scope.RIPRO,
    Scope.DIRECTION,
    Scope.AUDITOR,
)
HIDDEN = {Scope.OTHER_PARTNER: (404,), Scope.PARTNER_WITHOUT_ORGANISATION: (404,)}


def read_by_staff_and_owner(route: str, shown: dict) -> list[Row]:
    return rows(
        "partners",
        "GET",
        route,
        {**dict.fromkeys((*STAFF, Scope.PARTNER), (200, shown)), **HIDDEN, **UNAUTHENTICATED},
    )


def listed(route: str, staff: int, own: int, extra: dict | None = None) -> list[Row]:
    return rows(
        "partners",
        "GET",
        route,
        {
            **dict.fromkeys(STAFF, (200, {"items": staff})),
            Scope.PARTNER: (200, {"items": own, **(extra or {})}),
            Scope.OTHER_PARTNER: (200, {"items": own, "hides": {"PROJECT_A"}}),
            Scope.PARTNER_WITHOUT_ORGANISATION: (200, {"items": 0}),
            **UNAUTHENTICATED,
        },
    )


# An organisation's contact persons are personal data: auditors read them masked, in clear only by breaking
# the glass (ADR 31); the read is journaled like any read of personal data (ADR 22).
CONTACT = {"CONTACT_A", "CONTACT_A_EMAIL", "CONTACT_A_PHONE", "CONTACT_A_TITLE"}

PARTNERS = [
    *rows(
        "partners",
        "GET",
        "/partners/{partner_id}",
        {
            **dict.fromkeys((*STAFF, Scope.PARTNER), (200, {"present": {"partner_id"}, "shows": CONTACT})),
            Scope.AUDITOR: (200, {"present": {"partner_id", "contacts"}, "hides": CONTACT}),
            Scope.AUDITOR_BREAK_GLASS: (200, {"shows": CONTACT}),
            **HIDDEN,
            **UNAUTHENTICATED,
        },
    ),
    *read_by_staff_and_owner("/proposals/{proposal_id}", {"shows": {"PROJECT_A"}}),
    *rows(
        "partners",
        "GET",
        "/proposals/{proposal_b}",
        {
            # Why it was rejected may name someone: masked for auditors (ADR 31).
            Scope.IPRO_HEAD: (200, {"shows": {"REJECTION"}}),
            Scope.OTHER_PARTNER: (200, {"shows": {"REJECTION"}}),
            Scope.AUDITOR: (200, {"present": {"decision_reason"}, "hides": {"REJECTION"}}),
            Scope.AUDITOR_BREAK_GLASS: (200, {"shows": {"REJECTION"}}),
            Scope.PARTNER: (404,),
        },
    ),
    *read_by_staff_and_owner("/actions/{action_id}", {"present": {"sessions"}}),
    *listed("/partners", staff=2, own=1),
    *listed("/proposals", staff=4, own=2, extra={"shows": {"PROJECT_A"}, "hides": {"PROJECT_B"}}),
    *listed("/catalogue", staff=2, own=1),  # a partner manages its own actions here
    *rows(
        "partners",
        "GET",
        "/calls/{call_id}",
        {**dict.fromkeys((*STAFF, Scope.PARTNER, Scope.OTHER_PARTNER), (200,)), **UNAUTHENTICATED},
    ),
    *rows(
        "partners",
        "POST",
        "/partners/{partner_id}/contacts",
        {
            Scope.PARTNER: (201, {"present": {"contacts"}}),
            **HIDDEN,
            **refused_to((Scope.REFERENT, Scope.IPRO_ADVISER, Scope.DIRECTION, Scope.AUDITOR)),
            **UNAUTHENTICATED,
        },
        body="contact",
    ),
    *rows(
        "partners",
        "PUT",
        "/proposals/{proposal_id}",
        {
            Scope.PARTNER: (200, {"shows": {"PROJECT_A"}}),  # "Projet A révisé"
            Scope.OTHER_PARTNER: (404,),
            **refused_to(STAFF),
            **UNAUTHENTICATED,
        },
        body="revision",
    ),
    *rows(
        "partners",
        "POST",
        "/actions/{action_id}/sessions",
        {
            Scope.PARTNER: (201, {"present": {"sessions"}}),
            **HIDDEN,
            **refused_to((Scope.REFERENT, Scope.DPIP, Scope.IPRO_ADVISER, Scope.DIRECTION, Scope.AUDITOR)),
            **UNAUTHENTICATED,
        },
        body="session",
    ),
    *rows(
        "partners",
        "POST",
        "/proposals",
        {
            Scope.PARTNER_WITHOUT_ORGANISATION: (403, "token-without-organisation"),
            **refused_to(STAFF),
            **UNAUTHENTICATED,
        },
        body="proposal",
    ),
]

# --- programmes: groups, their registers, referrals and a person's participation ------------------------

# An ESPACE (radicalisation) group or referral exists for DPIPs only: anyone else gets 404 and lists leave it
# out, its facilitators included (DOMAIN.md: visible to SPIP management only). A group's register is for its
# facilitators and DPIPs; a partner sees only the groups it runs. IPRO roles, the governor's office and
# auditors read referrals without the offence-specific content (the failed eligibility rules).
ESTABLISHMENT = (
    Scope.REFERENT,
    Scope.OTHER_CPIP,
    Scope.FACILITATOR,
    Scope.NOT_FACILITATOR,
    Scope.SOCIAL_NOT_ASKED,
    Scope.IPRO_ADVISER,
    Scope.IPRO_HEAD,
    Scope.DIRECTION,
    Scope.AUDITOR,
)
OUTSIDE_SPIP = (Scope.IPRO_ADVISER, Scope.IPRO_HEAD, Scope.DIRECTION, Scope.AUDITOR)
NO_ESPACE = {"hides": {"ESPACE_GROUP", "ESPACE_REFERRAL", "ESPACE_NOTES"}}

SPIP_READERS = (
    Scope.REFERENT,
    Scope.OTHER_CPIP,
    Scope.DPIP,
    Scope.FACILITATOR,
    Scope.NOT_FACILITATOR,
    Scope.SOCIAL_NOT_ASKED,
)
NOT_SPIP_READERS = (*OUTSIDE_SPIP, Scope.PARTNER, Scope.OTHER_PARTNER)
RULES_SHOWN = {"shows": {"RULES_SHOWN"}, "hides": {"RULES_HIDDEN"}}
RULES_HIDDEN = {"shows": {"RULES_HIDDEN"}, "hides": {"RULES_SHOWN"}}


def catalogue(route: str, items: int | None = None, sensitive: int = 0) -> list[Row]:
    """The catalogue: SPIP staff read the eligibility rules (offence-specific); everyone else not, nor the
    `sensitive` ESPACE-like entries among `items` (security review L7)."""
    count = {} if items is None else {"items": items}
    outside = {} if items is None else {"items": items - sensitive}
    return rows(
        "programmes",
        "GET",
        route,
        {
            **dict.fromkeys(SPIP_READERS, (200, {**RULES_SHOWN, **count})),
            **dict.fromkeys(NOT_SPIP_READERS, (200, {**RULES_HIDDEN, **outside})),
            **UNAUTHENTICATED,
        },
    )


PROGRAMMES = [
    *catalogue("/programmes", items=15, sensitive=1),
    *catalogue("/programmes/programme-aderes"),
    *rows(
        "programmes",
        "GET",
        "/programmes/programme-espace",
        {
            **dict.fromkeys(SPIP_READERS, (200, {"hides": {"RULES_HIDDEN"}})),
            **dict.fromkeys(NOT_SPIP_READERS, (404, "programme-not-found")),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "programmes",
        "GET",
        "/groups/{other}",
        {
            **dict.fromkeys((*ESTABLISHMENT, Scope.DPIP), (200, {"present": {"sessions"}})),
            **dict.fromkeys((Scope.PARTNER, Scope.OTHER_PARTNER), (404, "group-not-found")),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "programmes",
        "GET",
        "/sessions?week=2026-11-30",
        {
            **dict.fromkeys(ESTABLISHMENT, (200, {"items": 2, **NO_ESPACE})),
            Scope.DPIP: (200, {"items": 3, "shows": {"ESPACE_GROUP"}}),
            Scope.PARTNER: (200, {"items": 1, **NO_ESPACE}),
            Scope.OTHER_PARTNER: (200, {"items": 0}),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "programmes",
        "GET",
        "/referrals/{r1}/certificate",
        {  # nobody has one yet: those who may read it are told so
            **dict.fromkeys((Scope.REFERENT, Scope.DPIP, *OUTSIDE_SPIP), (404, "certificate-not-found")),
            Scope.OTHER_CPIP: (403, CASELOAD),
            **refused_to((Scope.FACILITATOR, Scope.SOCIAL_NOT_ASKED, Scope.PARTNER)),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "programmes",
        "GET",
        "/groups",
        {
            **dict.fromkeys(ESTABLISHMENT, (200, {"items": 2, **NO_ESPACE})),
            Scope.DPIP: (200, {"items": 3, "shows": {"ESPACE_GROUP"}}),
            Scope.PARTNER: (200, {"items": 1, **NO_ESPACE}),
            Scope.OTHER_PARTNER: (200, {"items": 0}),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "programmes",
        "GET",
        "/groups/{parcours}",
        {
            **dict.fromkeys((*ESTABLISHMENT, Scope.DPIP, Scope.PARTNER), (200, {"present": {"sessions"}})),
            Scope.OTHER_PARTNER: (404, "group-not-found"),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "programmes",
        "GET",
        "/groups/{espace}",
        {
            Scope.DPIP: (200, {"present": {"sessions"}}),
            **dict.fromkeys((*ESTABLISHMENT, Scope.PARTNER, Scope.OTHER_PARTNER), (404, "group-not-found")),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "programmes",
        "GET",
        "/groups/{parcours}/register",
        {
            Scope.REFERENT: (200, {"present": {"participants"}, "shows": {"R1"}}),
            Scope.FACILITATOR: (200, {"present": {"participants"}}),
            Scope.DPIP: (200, {"present": {"participants"}}),
            Scope.PARTNER: (200, {"present": {"participants"}}),
            Scope.OTHER_CPIP: (403, "not-a-facilitator"),
            Scope.NOT_FACILITATOR: (403, "not-a-facilitator"),
            Scope.OTHER_PARTNER: (404, "group-not-found"),
            **refused_to((Scope.SOCIAL_NOT_ASKED, *OUTSIDE_SPIP)),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "programmes",
        "GET",
        "/groups/{espace}/register",
        {
            Scope.DPIP: (200, {"shows": {"ESPACE_REFERRAL"}}),
            Scope.FACILITATOR: (404, "group-not-found"),
            Scope.PARTNER: (404, "group-not-found"),
            Scope.REFERENT: (404, "group-not-found"),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "programmes",
        "GET",
        "/referrals/{r2}",
        {
            Scope.REFERENT: (200, {"shows": {"FAILED_RULE"}}),
            Scope.DPIP: (200, {"shows": {"FAILED_RULE"}}),
            Scope.OTHER_CPIP: (403, CASELOAD),
            **dict.fromkeys(OUTSIDE_SPIP, (200, {"present": {"referral_id"}, "hides": {"FAILED_RULE"}})),
            **refused_to((Scope.FACILITATOR, Scope.SOCIAL_NOT_ASKED, Scope.PARTNER)),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "programmes",
        "GET",
        "/referrals/{r3b}",
        {
            # Why a referral ended is free text about the person: masked for auditors (ADR 31).
            Scope.DPIP: (200, {"shows": {"WITHDRAWAL"}}),
            Scope.OTHER_CPIP: (200, {"shows": {"WITHDRAWAL"}}),
            Scope.AUDITOR: (200, {"present": {"referral_id", "end_reason"}, "hides": {"WITHDRAWAL"}}),
            Scope.AUDITOR_BREAK_GLASS: (200, {"shows": {"WITHDRAWAL"}}),
        },
    ),
    *rows(
        "programmes",
        "GET",
        "/referrals/{re}",
        {
            Scope.DPIP: (200, {"present": {"referral_id"}}),
            **dict.fromkeys((Scope.REFERENT, Scope.OTHER_CPIP, *OUTSIDE_SPIP), (404, "referral-not-found")),
            **refused_to((Scope.FACILITATOR, Scope.PARTNER)),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "programmes",
        "GET",
        "/referrals",
        {
            Scope.REFERENT: (200, {"items": 3, **NO_ESPACE}),  # p-1, p-2 and p-4's
            Scope.OTHER_CPIP: (200, {"items": 2, **NO_ESPACE}),  # p-3's
            Scope.DPIP: (200, {"items": 7, "shows": {"ESPACE_REFERRAL"}}),
            **dict.fromkeys(OUTSIDE_SPIP, (200, {"items": 5, **NO_ESPACE})),
            **refused_to((Scope.FACILITATOR, Scope.NOT_FACILITATOR, Scope.SOCIAL_NOT_ASKED, Scope.PARTNER)),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "programmes",
        "GET",
        "/people/p-1/participation",
        {
            Scope.REFERENT: (200, {"shows": {"R1"}, **NO_ESPACE}),
            Scope.DPIP: (200, {"shows": {"R1", "ESPACE_REFERRAL"}}),
            Scope.OTHER_CPIP: (403, CASELOAD),
            **dict.fromkeys(OUTSIDE_SPIP, (200, {"shows": {"R1"}, **NO_ESPACE})),
            **refused_to((Scope.FACILITATOR, Scope.PARTNER)),
            **UNAUTHENTICATED,
        },
    ),
]

# --- ipro: a person's pathway, its history, work file, trainings and positionings -----------------------

# An adviser sees their caseload only, a CPIP their people; another's answers 404 as a missing one (ADR 15).
# IPRO management, DPIPs, the governor's office and auditors see every pathway, but the governor's office
# not its history (interview notes, synthesis, CPU opinions). A partner sees no pathway: only the
# positionings on its own organisation's actions, with the person's name.
SEES_P1 = (
    Scope.REFERENT,
    Scope.DPIP,
    Scope.IPRO_ADVISER,
    Scope.IPRO_HEAD,
    Scope.RIPRO,
    Scope.DIRECTION,
    Scope.AUDITOR,
)
NO_IPRO_ACCESS = (Scope.PSY_NOT_ASKED, Scope.PARTNER, Scope.PARTNER_WITHOUT_ORGANISATION)


SEES_P2 = (
    Scope.OTHER_CPIP,
    Scope.DPIP,
    Scope.OTHER_ADVISER,
    Scope.IPRO_HEAD,
    Scope.RIPRO,
    Scope.DIRECTION,
    Scope.AUDITOR,
)
REPORT_READERS = (Scope.IPRO_HEAD, Scope.RIPRO, Scope.DIRECTION, Scope.AUDITOR)
NOT_REPORTS = (Scope.REFERENT, Scope.OTHER_CPIP, Scope.DPIP, *NO_IPRO_ACCESS)
PARTNER_LINE = {"present": {"positioning_id", "last_name", "status"}, "absent": {"pathway_id", "subject_id"}}


def pathway_read(route: str, missing: str, present: set[str], sees=SEES_P1, **overrides) -> list[Row]:
    """A pathway's route: 200 for those who see it, its not found for the CPIP and adviser who do not."""
    hidden = (
        (Scope.OTHER_CPIP, Scope.OTHER_ADVISER) if sees is SEES_P1 else (Scope.REFERENT, Scope.IPRO_ADVISER)
    )
    return rows(
        "ipro",
        "GET",
        route,
        {
            **dict.fromkeys(sees, (200, {"present": present})),
            **dict.fromkeys(hidden, (404, missing)),
            **refused_to(NO_IPRO_ACCESS),
            **UNAUTHENTICATED,
            **overrides,
        },
    )


def positioning_read(key: str, sees, partner: Scope, hidden) -> list[Row]:
    return rows(
        "ipro",
        "GET",
        f"/positionings/{{{key}}}",
        {
            **dict.fromkeys(sees, (200, {"present": {"positioning_id", "pathway_id", "subject_id"}})),
            partner: (200, PARTNER_LINE),
            **dict.fromkeys(hidden, (404, "positioning-not-found")),
            Scope.PARTNER_WITHOUT_ORGANISATION: (404, "positioning-not-found"),
            Scope.PSY_NOT_ASKED: (403, ROLE),
            **UNAUTHENTICATED,
        },
    )


IPRO = [
    *pathway_read(
        "/pathways/{p1}",
        "pathway-not-found",
        {"pathway_id"},
        # The adviser's reason for a readiness status is free text about the person: masked for auditors.
        **{
            Scope.IPRO_ADVISER: (200, {"present": {"readiness_history"}, "shows": {"READINESS_REASON"}}),
            Scope.AUDITOR: (200, {"present": {"readiness_history"}, "hides": {"READINESS_REASON"}}),
            Scope.AUDITOR_BREAK_GLASS: (200, {"shows": {"READINESS_REASON"}}),
        },
    ),
    *pathway_read("/pathways/{p2}", "pathway-not-found", {"pathway_id"}, sees=SEES_P2),
    *pathway_read("/pathways/{p1}/work", "pathway-not-found", {"classement"}),
    *pathway_read("/pathways/{p2}/work", "pathway-not-found", {"classement"}, sees=SEES_P2),
    *pathway_read("/pathways/{p1}/history", "pathway-not-found", set(), **{Scope.DIRECTION: (403, ROLE)}),
    *pathway_read("/trainings/{t1}", "training-not-found", {"training_id"}),
    *pathway_read("/trainings/{t2}", "training-not-found", {"training_id"}, sees=SEES_P2),
    *positioning_read(
        "pos1", SEES_P1, Scope.PARTNER, (Scope.OTHER_CPIP, Scope.OTHER_ADVISER, Scope.OTHER_PARTNER)
    ),
    *positioning_read(
        "posB", SEES_P2, Scope.OTHER_PARTNER, (Scope.REFERENT, Scope.IPRO_ADVISER, Scope.PARTNER)
    ),
    *rows(
        "ipro",
        "GET",
        "/pathways",
        {
            Scope.REFERENT: (200, {"items": 2}),  # p1 and p3
            Scope.OTHER_CPIP: (200, {"items": 2}),  # p2 and p4
            Scope.IPRO_ADVISER: (200, {"items": 1, "shows": {"P1"}, "hides": {"P2"}}),
            Scope.OTHER_ADVISER: (200, {"items": 1, "shows": {"P2"}, "hides": {"P1"}}),
            **dict.fromkeys((Scope.DPIP, *REPORT_READERS), (200, {"items": 4})),
            **refused_to(NO_IPRO_ACCESS),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "ipro",
        "GET",
        "/positionings",
        {
            Scope.IPRO_ADVISER: (200, {"items": 1}),  # pos1
            Scope.OTHER_ADVISER: (200, {"items": 2}),  # pos2, posB
            **dict.fromkeys(REPORT_READERS, (200, {"items": 4})),
            Scope.PARTNER: (200, {"items": 2, "hides": {"P1"}}),  # pos1, pos2 on A's action: names only
            Scope.OTHER_PARTNER: (200, {"items": 2, "hides": {"P2"}}),  # posB, pos3 on B's
            Scope.PARTNER_WITHOUT_ORGANISATION: (200, {"items": 0}),
            **refused_to((Scope.REFERENT, Scope.DPIP, Scope.PSY_NOT_ASKED)),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "ipro",
        "GET",
        "/caseload",
        {
            Scope.IPRO_ADVISER: (200, {"items": 1, "shows": {"P1"}}),
            Scope.OTHER_ADVISER: (200, {"items": 1, "shows": {"P2"}}),
            **dict.fromkeys(REPORT_READERS, (200, {"items": 4})),
            **refused_to(NOT_REPORTS),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "ipro",
        "GET",
        "/waiting-lists",
        {
            Scope.IPRO_ADVISER: (200, {"shows": {"P1"}}),  # classed, waiting for a post
            Scope.OTHER_ADVISER: (200, {"hides": {"P1"}}),
            **dict.fromkeys(REPORT_READERS, (200, {"shows": {"P1"}})),
            **refused_to(NOT_REPORTS),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "ipro",
        "GET",
        "/posts",
        {
            Scope.IPRO_ADVISER: (200, {"hides": {"P2_SUBJECT"}}),
            Scope.OTHER_ADVISER: (200, {"shows": {"P2_SUBJECT"}}),  # at a post
            **dict.fromkeys(REPORT_READERS, (200, {"shows": {"P2_SUBJECT"}})),
            **refused_to(NOT_REPORTS),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "ipro",
        "GET",
        "/indicators/inserre",
        {
            **dict.fromkeys(
                (Scope.IPRO_ADVISER, Scope.OTHER_ADVISER, Scope.DPIP, *REPORT_READERS),
                (200, {"shows": {"ARRAS"}}),
            ),
            **refused_to((Scope.REFERENT, Scope.OTHER_CPIP, *NO_IPRO_ACCESS)),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "ipro",
        "POST",
        "/pathways/{p1}/goals",
        {
            Scope.IPRO_ADVISER: (201, {"present": {"goals"}}),
            Scope.OTHER_ADVISER: (404, "pathway-not-found"),
            **refused_to((Scope.REFERENT, Scope.DPIP, Scope.DIRECTION, Scope.AUDITOR, *NO_IPRO_ACCESS)),
            **UNAUTHENTICATED,
        },
        body="goal",
    ),
]

# --- projections: a person's consolidated file ------------------------------------------------------------

# SPIP staff read it by caseload or need to know (the referent, a DPIP, a psychologist asked to contribute);
# IPRO roles and the governor's office their part, without offence categories nor programmes; auditors a
# pseudonymised file; partners nothing. Nobody sees another person in it.
OFFENCES = "case.sentence.offence_categories"
WHOLE_FILE = (
    200,
    {"present": {"identity.last_name", OFFENCES, "programmes"}, "hides": {"BENALI", "OTHER_PERSON"}},
)
PROFESSIONAL_FILE = (
    200,
    {"present": {"identity.last_name"}, "absent": {OFFENCES, "programmes"}, "hides": {"BENALI"}},
)
# The identity under the person's pseudonym (ADR 31); in clear, and what the referent reads, breaking the glass.
PSEUDONYMISED_FILE = (
    200,
    {"present": {OFFENCES, "identity.last_name"}, "hides": {"LEFEVRE", "BENALI", "ECROU"}},
)
BROKEN_GLASS_FILE = (200, {"present": {OFFENCES}, "shows": {"LEFEVRE", "ECROU"}, "hides": {"BENALI"}})
SPIP_SCOPES = (Scope.REFERENT, Scope.DPIP, Scope.PSY_ASKED)
PROFESSIONAL_SCOPES = (Scope.IPRO_ADVISER, Scope.IPRO_HEAD, Scope.RIPRO, Scope.DIRECTION)
OFF_CASELOAD = {
    scope: (403, CASELOAD) for scope in (Scope.OTHER_CPIP, Scope.PSY_NOT_ASKED, Scope.SOCIAL_NOT_ASKED)
}

PROJECTIONS = [
    *rows(
        "projections",
        "GET",
        "/persons/{person}/file",
        {
            **dict.fromkeys(SPIP_SCOPES, WHOLE_FILE),
            **dict.fromkeys(PROFESSIONAL_SCOPES, PROFESSIONAL_FILE),
            Scope.AUDITOR: PSEUDONYMISED_FILE,
            Scope.AUDITOR_BREAK_GLASS: BROKEN_GLASS_FILE,
            **OFF_CASELOAD,
            Scope.PARTNER: (403, ROLE),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "projections",
        "GET",
        "/persons/{person}/file/changes",
        {
            **dict.fromkeys((*SPIP_SCOPES, *PROFESSIONAL_SCOPES, Scope.AUDITOR), (200,)),
            **OFF_CASELOAD,
            Scope.PARTNER: (403, ROLE),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "projections",
        "GET",
        "/persons/{unknown}/file",
        {Scope.DPIP: (404, "person-not-found"), Scope.IPRO_ADVISER: (404, "person-not-found")},
    ),
    *rows(
        "projections",
        "GET",
        "/persons/{person}/consultations",
        {
            Scope.DPIP: (200,),
            Scope.AUDITOR: (200,),
            **refused_to((Scope.REFERENT, Scope.PSY_ASKED, Scope.IPRO_HEAD, Scope.DIRECTION, Scope.PARTNER)),
            **UNAUTHENTICATED,
        },
    ),
]

# --- the establishment perimeter (ADR 26) ------------------------------------------------------------------

# Each world's objects are in one establishment. The same users with a token of another one (or a DPIP's
# token naming none) find every object missing, the 404 of an unknown id word for word and before any other
# rule, find nothing in any list whatever establishment they filter on, and cannot create in it. Partners
# are limited by their organisation, not by establishment (their rows above stand). The partners service
# holds organisations and calls, not people: not scoped.
NOWHERE = {"items": 0}


def missing_to(scopes, rule: str) -> dict[Scope, tuple]:
    return {scope: (404, rule) for scope in scopes}


def empty_to(scopes, **expected) -> dict[Scope, tuple]:
    return {scope: (200, expected or NOWHERE) for scope in scopes}


def _without(scopes, left_out: Scope) -> tuple[Scope, ...]:
    return tuple(scope for scope in scopes if scope is not left_out)


CASE_READERS_ELSEWHERE = (
    Scope.REFERENT_ELSEWHERE,
    Scope.DPIP_ELSEWHERE,
    Scope.PSY_ASKED_ELSEWHERE,
    Scope.IPRO_HEAD_ELSEWHERE,
    Scope.DIRECTION_ELSEWHERE,
    Scope.AUDITOR_ELSEWHERE,
    Scope.NO_ESTABLISHMENT,
)
SPIP_ELSEWHERE = (Scope.REFERENT_ELSEWHERE, Scope.DPIP_ELSEWHERE, Scope.PSY_ASKED_ELSEWHERE)

ASSESSMENT_PERIMETER = [
    *rows("assessment", "GET", "/cases/{case_id}", missing_to(CASE_READERS_ELSEWHERE, "case-not-found")),
    *rows(
        "assessment",
        "GET",
        "/assessments/{assessment_id}",
        missing_to(_without(CASE_READERS_ELSEWHERE, Scope.DIRECTION_ELSEWHERE), "assessment-not-found"),
    ),
    *rows(
        "assessment",
        "GET",
        "/plans/{plan_id}",
        missing_to((*SPIP_ELSEWHERE, Scope.NO_ESTABLISHMENT), "plan-not-found"),
    ),
    *rows("assessment", "GET", "/cases/{case_id}/interviews", missing_to(SPIP_ELSEWHERE, "case-not-found")),
    *rows(
        "assessment",
        "GET",
        "/cases/{case_id}/espace-notes",
        missing_to((Scope.DPIP_ELSEWHERE, Scope.NO_ESTABLISHMENT), "case-not-found"),
    ),
    *rows("assessment", "GET", "/cases", empty_to(CASE_READERS_ELSEWHERE)),
    *rows(
        "assessment",
        "GET",
        "/cases?establishment=InSERRE Arras&include_closed=true",
        {Scope.DPIP: (200, {"items": 2}), **empty_to((Scope.DPIP_ELSEWHERE, Scope.IPRO_HEAD_ELSEWHERE))},
    ),
    *rows(
        "assessment",
        "GET",
        "/deadlines?within_days=366",
        {
            Scope.DPIP: (200, {"shows": {"CASE"}}),
            **empty_to((Scope.REFERENT_ELSEWHERE, Scope.DPIP_ELSEWHERE, Scope.NO_ESTABLISHMENT)),
        },
    ),
    *rows(
        "assessment",
        "POST",
        "/cases/{case_id}/interviews",
        missing_to((Scope.REFERENT_ELSEWHERE, Scope.PSY_ASKED_ELSEWHERE), "case-not-found"),
        body="interview",
    ),
    *rows(
        "assessment",
        "POST",
        "/cases/{case_id}/appointments",
        missing_to((Scope.REFERENT_ELSEWHERE, Scope.DPIP_ELSEWHERE), "case-not-found"),
        body="appointment",
    ),
    *rows("assessment", "GET", "/cases/{case_id}/appointments", missing_to(SPIP_ELSEWHERE, "case-not-found")),
    *rows(
        "assessment",
        "POST",
        "/assessments/{assessment_id}/contributions",
        missing_to((Scope.PSY_ASKED_ELSEWHERE,), "assessment-not-found"),
        body="contribution",
    ),
    *rows(
        "assessment",
        "PUT",
        "/cases/{case_id}/identity",
        missing_to((Scope.DPIP_ELSEWHERE,), "case-not-found"),
        body="identity",
    ),
    *rows(
        "assessment",
        "POST",
        "/cases/{case_id}/espace-notes",
        missing_to((Scope.DPIP_ELSEWHERE,), "case-not-found"),
        body="note",
    ),
    *rows(
        "assessment",
        "POST",
        "/cases/{case_id}/transfer",
        missing_to((Scope.DPIP_ELSEWHERE,), "case-not-found"),
        body="transfer",
    ),
    *rows(
        "assessment",
        "POST",
        "/cases",
        {Scope.DPIP_ELSEWHERE: (403, "establishment-not-reached")},
        body="case",
    ),
    # erasing a person of another establishment (a success here would erase the world's first person)
    *rows(
        "assessment",
        "POST",
        "/subjects/{subject_id}/erasure",
        missing_to((Scope.DPIP_ELSEWHERE, Scope.NO_ESTABLISHMENT), "subject-not-found"),
        body="erasure",
    ),
]

PROGRAMMES_ELSEWHERE = (
    Scope.REFERENT_ELSEWHERE,
    Scope.DPIP_ELSEWHERE,
    Scope.FACILITATOR_ELSEWHERE,
    Scope.IPRO_HEAD_ELSEWHERE,
    Scope.DIRECTION_ELSEWHERE,
    Scope.AUDITOR_ELSEWHERE,
    Scope.NO_ESTABLISHMENT,
)
REFERRAL_READERS_ELSEWHERE = _without(PROGRAMMES_ELSEWHERE, Scope.FACILITATOR_ELSEWHERE)

PROGRAMMES_PERIMETER = [
    *rows("programmes", "GET", "/groups/{parcours}", missing_to(PROGRAMMES_ELSEWHERE, "group-not-found")),
    *rows(
        "programmes",
        "GET",
        "/groups/{parcours}/register",
        missing_to(
            (Scope.REFERENT_ELSEWHERE, Scope.DPIP_ELSEWHERE, Scope.FACILITATOR_ELSEWHERE), "group-not-found"
        ),
    ),
    *rows(
        "programmes", "GET", "/referrals/{r2}", missing_to(REFERRAL_READERS_ELSEWHERE, "referral-not-found")
    ),
    *rows("programmes", "GET", "/groups", empty_to(PROGRAMMES_ELSEWHERE)),
    *rows("programmes", "GET", "/groups?establishment=InSERRE Arras", empty_to((Scope.DPIP_ELSEWHERE,))),
    *rows("programmes", "GET", "/sessions?week=2026-11-30", empty_to(PROGRAMMES_ELSEWHERE)),
    *rows("programmes", "GET", "/referrals", empty_to(REFERRAL_READERS_ELSEWHERE)),
    *rows(
        "programmes",
        "GET",
        "/people/p-1/participation",
        empty_to(REFERRAL_READERS_ELSEWHERE, absent={"enrolments"}, hides={"R1"}),
    ),
    *rows(
        "programmes",
        "POST",
        "/groups",
        {Scope.DPIP_ELSEWHERE: (403, "establishment-not-reached")},
        body="group",
    ),
]

IPRO_ELSEWHERE = (
    Scope.REFERENT_ELSEWHERE,
    Scope.DPIP_ELSEWHERE,
    Scope.ADVISER_ELSEWHERE,
    Scope.IPRO_HEAD_ELSEWHERE,
    Scope.DIRECTION_ELSEWHERE,
    Scope.AUDITOR_ELSEWHERE,
    Scope.NO_ESTABLISHMENT,
)
IPRO_STAFF_ELSEWHERE = (
    Scope.ADVISER_ELSEWHERE,
    Scope.IPRO_HEAD_ELSEWHERE,
    Scope.DIRECTION_ELSEWHERE,
    Scope.AUDITOR_ELSEWHERE,
)

IPRO_PERIMETER = [
    *rows("ipro", "GET", "/pathways/{p1}", missing_to(IPRO_ELSEWHERE, "pathway-not-found")),
    *rows("ipro", "GET", "/pathways/{p1}/work", missing_to(IPRO_ELSEWHERE, "pathway-not-found")),
    # the governor's office of another site: missing, before the rule that keeps it from any history
    *rows("ipro", "GET", "/pathways/{p1}/history", missing_to(IPRO_ELSEWHERE, "pathway-not-found")),
    *rows("ipro", "GET", "/trainings/{t1}", missing_to(IPRO_ELSEWHERE, "training-not-found")),
    *rows("ipro", "GET", "/positionings/{pos1}", missing_to(IPRO_STAFF_ELSEWHERE, "positioning-not-found")),
    *rows("ipro", "GET", "/pathways", empty_to(IPRO_ELSEWHERE)),
    *rows("ipro", "GET", "/pathways?establishment=InSERRE Arras", empty_to((Scope.IPRO_HEAD_ELSEWHERE,))),
    *rows("ipro", "GET", "/positionings", empty_to(IPRO_STAFF_ELSEWHERE)),
    *rows("ipro", "GET", "/caseload", empty_to(IPRO_STAFF_ELSEWHERE)),
    *rows("ipro", "GET", "/waiting-lists", empty_to(IPRO_STAFF_ELSEWHERE, hides={"P1"})),
    *rows("ipro", "GET", "/posts", empty_to(IPRO_STAFF_ELSEWHERE, hides={"P2_SUBJECT"})),
    *rows("ipro", "GET", "/indicators/inserre", empty_to(IPRO_STAFF_ELSEWHERE, hides={"ARRAS"})),
    *rows(
        "ipro",
        "POST",
        "/pathways/{p1}/goals",
        missing_to((Scope.ADVISER_ELSEWHERE,), "pathway-not-found"),
        body="goal",
    ),
]

FILE_READERS_ELSEWHERE = (
    Scope.REFERENT_ELSEWHERE,
    Scope.DPIP_ELSEWHERE,
    Scope.PSY_ASKED_ELSEWHERE,
    Scope.ADVISER_ELSEWHERE,
    Scope.IPRO_HEAD_ELSEWHERE,
    Scope.DIRECTION_ELSEWHERE,
    Scope.AUDITOR_ELSEWHERE,
    Scope.NO_ESTABLISHMENT,
)

PROJECTIONS_PERIMETER = [
    *rows(
        "projections", "GET", "/persons/{person}/file", missing_to(FILE_READERS_ELSEWHERE, "person-not-found")
    ),
    *rows(
        "projections",
        "GET",
        "/persons/{person}/file/changes",
        missing_to(FILE_READERS_ELSEWHERE, "person-not-found"),
    ),
    *rows(
        "projections",
        "GET",
        "/persons/{person}/consultations",
        missing_to((Scope.DPIP_ELSEWHERE, Scope.AUDITOR_ELSEWHERE), "person-not-found"),
    ),
    *rows(
        "projections",
        "GET",
        "/persons?q=Lefèvre",
        {
            Scope.DPIP: (200, {"items": 1, "shows": {"LEFEVRE"}}),
            **empty_to((Scope.DPIP_ELSEWHERE, Scope.ADVISER_ELSEWHERE, Scope.NO_ESTABLISHMENT)),
        },
    ),
]

# --- projections: the movement list (issue 15 #3) ---------------------------------------------------------

# The detention's daily sheet of who goes where: the governor's office, IPRO and the DPIP read it with names,
# auditors by subject id; a CPIP, a psychologist or a social worker (it names people beyond their caseload)
# and partners not at all. Another establishment's staff get an empty list (ADR 26). The day is the group's
# first session, which both people sit in.
MOVEMENTS = "/movements?day=2031-02-03&establishment=CP d'Arras"
NAMED_MOVEMENTS = (200, {"present": {"movements"}, "shows": {"LEFEVRE", "BENALI"}})
PSEUDONYMISED_MOVEMENTS = (
    200,
    {"present": {"movements"}, "shows": {"OTHER_PERSON"}, "hides": {"LEFEVRE", "BENALI"}},
)

PROJECTIONS_MOVEMENTS = [
    *rows(
        "projections",
        "GET",
        MOVEMENTS,
        {
            **dict.fromkeys(
                (Scope.DPIP, Scope.IPRO_ADVISER, Scope.IPRO_HEAD, Scope.RIPRO, Scope.DIRECTION),
                NAMED_MOVEMENTS,
            ),
            Scope.AUDITOR: PSEUDONYMISED_MOVEMENTS,
            Scope.AUDITOR_BREAK_GLASS: NAMED_MOVEMENTS,
            **refused_to((Scope.REFERENT, Scope.PSY_ASKED, Scope.SOCIAL_NOT_ASKED, Scope.PARTNER)),
            **UNAUTHENTICATED,
        },
    ),
    *rows(
        "projections",
        "GET",
        MOVEMENTS,
        {
            scope: (200, {"absent": {"movements", "partners"}, "hides": {"LEFEVRE", "OTHER_PERSON"}})
            for scope in (
                Scope.DPIP_ELSEWHERE,
                Scope.IPRO_HEAD_ELSEWHERE,
                Scope.DIRECTION_ELSEWHERE,
                Scope.AUDITOR_ELSEWHERE,
                Scope.NO_ESTABLISHMENT,
            )
        },
    ),
]

# --- projections: the programming coverage (issue 15 #6) --------------------------------------------------

# Needs against offer by theme, counts only: the IPRO roles, the DPIP, the governor's office and auditors read
# it; a CPIP, a psychologist or a social worker (beyond their people) and partners (the establishment's needs,
# other organisations' offer) are refused. Another establishment's staff, or a token naming none, get no theme
# (ADR 26). No answer names or identifies a person.
COVERAGE = "/coverage?establishment=CP d'Arras"
COVERAGE_READ = (200, {"present": {"themes"}, "hides": {"LEFEVRE", "BENALI", "OTHER_PERSON"}})

COVERAGE_REFUSED = {
    **refused_to((Scope.REFERENT, Scope.PSY_ASKED, Scope.SOCIAL_NOT_ASKED, Scope.PARTNER)),
    **UNAUTHENTICATED,
}

PROJECTIONS_COVERAGE = [
    *rows(
        "projections",
        "GET",
        COVERAGE,
        {
            **dict.fromkeys(
                (
                    Scope.IPRO_HEAD,
                    Scope.RIPRO,
                    Scope.IPRO_ADVISER,
                    Scope.DPIP,
                    Scope.DIRECTION,
                    Scope.AUDITOR,
                ),
                COVERAGE_READ,
            ),
            **COVERAGE_REFUSED,
            **{
                scope: (200, {"absent": {"themes", "gaps"}})
                for scope in (
                    Scope.DPIP_ELSEWHERE,
                    Scope.IPRO_HEAD_ELSEWHERE,
                    Scope.DIRECTION_ELSEWHERE,
                    Scope.AUDITOR_ELSEWHERE,
                    Scope.NO_ESTABLISHMENT,
                )
            },
        },
    ),
    # The CSV file has the same policy; what the readers get in it is in test_coverage_http.py.
    *rows("projections", "GET", COVERAGE.replace("/coverage", "/coverage.csv"), COVERAGE_REFUSED),
]

# --- projections: the work queues (issue 15 #4) -----------------------------------------------------------

# Each role with a queue reads its own (`/queues/mine`), with names: the referent CPIP their people (Marie
# Lefèvre's interview and Karim Benali's), another CPIP nothing of them, the DPIP the plan awaiting validation,
# the adviser the syntheses due, the head of IPRO and the RIPRO Marie waiting for a post, the governor's office
# what awaits it; psychologists, social workers, auditors and partners have no queue. A DPIP reads the CPIPs'
# queue, the head of IPRO and the governor's office the advisers'; no one else's (`projections.queues.access`).
# Another establishment's staff, or a token naming none, get an empty queue (ADR 26).
MY_QUEUE = "/queues/mine"
NAMED_QUEUE = (200, {"present": {"items"}, "shows": {"LEFEVRE"}})
EMPTY_QUEUE = (200, {"absent": {"items"}, "hides": {"LEFEVRE", "BENALI"}})

PROJECTIONS_QUEUES = [
    *rows(
        "projections",
        "GET",
        MY_QUEUE,
        {
            Scope.REFERENT: (200, {"present": {"items"}, "shows": {"LEFEVRE", "BENALI"}}),
            Scope.OTHER_CPIP: EMPTY_QUEUE,
            Scope.DPIP: (200, {"present": {"items", "workload"}, "shows": {"LEFEVRE"}}),
            Scope.IPRO_ADVISER: (200, {"present": {"items"}, "shows": {"LEFEVRE", "BENALI"}}),
            Scope.IPRO_HEAD: NAMED_QUEUE,
            Scope.RIPRO: NAMED_QUEUE,
            Scope.DIRECTION: (200, {"absent": {"workload"}}),
            **refused_to((Scope.PSY_ASKED, Scope.SOCIAL_NOT_ASKED, Scope.AUDITOR, Scope.PARTNER)),
            **UNAUTHENTICATED,
            **dict.fromkeys(
                (
                    Scope.REFERENT_ELSEWHERE,
                    Scope.DPIP_ELSEWHERE,
                    Scope.ADVISER_ELSEWHERE,
                    Scope.IPRO_HEAD_ELSEWHERE,
                    Scope.DIRECTION_ELSEWHERE,
                    Scope.NO_ESTABLISHMENT,
                ),
                EMPTY_QUEUE,
            ),
        },
    ),
    *rows(
        "projections",
        "GET",
        "/queues/cpip?referent=cpip-durand",
        {
            Scope.DPIP: (200, {"present": {"items"}, "shows": {"LEFEVRE", "BENALI"}}),
            **refused_to((Scope.REFERENT, Scope.IPRO_HEAD, Scope.DIRECTION, Scope.AUDITOR)),
            Scope.DPIP_ELSEWHERE: EMPTY_QUEUE,
        },
    ),
    *rows(
        "projections",
        "GET",
        "/queues/ipro_conseiller",
        {
            Scope.IPRO_HEAD: (200, {"present": {"items"}, "shows": {"LEFEVRE", "BENALI"}}),
            Scope.DIRECTION: (200, {"present": {"items"}, "shows": {"LEFEVRE", "BENALI"}}),
            **refused_to((Scope.IPRO_ADVISER, Scope.DPIP, Scope.REFERENT)),
            Scope.IPRO_HEAD_ELSEWHERE: EMPTY_QUEUE,
        },
    ),
]

# --- projections: the log for auditors (issue 16 #4, ADR 30) -----------------------------------------------

# The log as the topics carried it, every personal value masked: auditors alone read it (ARCHITECTURE.md §6),
# the person's and their case's stream; every other role is refused, the DPIP too (the log holds IPRO's
# need-to-know content and every restricted type). An auditor of another establishment finds neither (404).
LOG_AS_PUBLISHED = (200, {"present": {"items"}, "hides": {"LEFEVRE", "OTHER_PERSON"}})
LOG_REFUSED = (
    Scope.REFERENT,
    Scope.DPIP,
    Scope.PSY_ASKED,
    Scope.IPRO_ADVISER,
    Scope.IPRO_HEAD,
    Scope.DIRECTION,
    Scope.PARTNER,
)

PROJECTIONS_AUDIT_LOG = [
    *rows(
        "projections",
        "GET",
        "/audit/subjects/{person}",
        {
            Scope.AUDITOR: LOG_AS_PUBLISHED,
            **refused_to(LOG_REFUSED),
            **UNAUTHENTICATED,
            **missing_to((Scope.AUDITOR_ELSEWHERE,), "subject-not-found"),
        },
    ),
    *rows(
        "projections", "GET", "/audit/subjects/{unknown}", missing_to((Scope.AUDITOR,), "subject-not-found")
    ),
    *rows(
        "projections",
        "GET",
        "/audit/streams/case-1",
        {
            Scope.AUDITOR: LOG_AS_PUBLISHED,
            **refused_to(LOG_REFUSED),
            **UNAUTHENTICATED,
            **missing_to((Scope.AUDITOR_ELSEWHERE,), "stream-not-found"),
        },
    ),
    # The services' signed checkpoints checked against the view (ADR 30 addendum): auditors alone, as the log;
    # they name no one and no establishment, so an auditor of another establishment reads them too.
    *rows(
        "projections",
        "GET",
        "/audit/checkpoints",
        {
            Scope.AUDITOR: (200, {"present": {"services"}, "hides": {"LEFEVRE", "OTHER_PERSON"}}),
            Scope.AUDITOR_ELSEWHERE: (200, {"present": {"services"}}),
            **refused_to(LOG_REFUSED),
            **UNAUTHENTICATED,
        },
    ),
]

# --- projections: the InSERRE indicators (issue 15 #5) --------------------------------------------------

# Per establishment and month, aggregates only: the governor's office, the DPIP, the head of IPRO, the RIPRO
# and auditors read them; a CPIP, a psychologist, a social worker, an IPRO adviser and partners are refused.
# Another establishment's staff, or a token naming none, get no month (ADR 26). No answer names anyone.
INDICATORS = "/indicators?from=2031-01&to=2031-02&establishment=CP d'Arras"
INDICATORS_READ = (200, {"present": {"months"}, "hides": {"LEFEVRE", "BENALI", "OTHER_PERSON"}})

PROJECTIONS_INDICATORS = [
    *rows(
        "projections",
        "GET",
        INDICATORS,
        {
            **dict.fromkeys(
                (Scope.DIRECTION, Scope.DPIP, Scope.IPRO_HEAD, Scope.RIPRO, Scope.AUDITOR), INDICATORS_READ
            ),
            **refused_to(
                (Scope.REFERENT, Scope.PSY_ASKED, Scope.SOCIAL_NOT_ASKED, Scope.IPRO_ADVISER, Scope.PARTNER)
            ),
            **UNAUTHENTICATED,
            **{
                scope: (200, {"absent": {"months"}})
                for scope in (
                    Scope.DPIP_ELSEWHERE,
                    Scope.IPRO_HEAD_ELSEWHERE,
                    Scope.DIRECTION_ELSEWHERE,
                    Scope.AUDITOR_ELSEWHERE,
                    Scope.NO_ESTABLISHMENT,
                )
            },
        },
    )
    # The charts (`/indicators/{indicator}.svg`) have the same policy: test_indicators.py.
]

# --- projections: the schedule's names (issue 18 #3) -----------------------------------------------------

# Every staff role reads the establishment's sessions and their seats; the names of who sits in them only on a
# need-to-know basis: the DPIP, the IPRO roles and the governor's office every one's, the referent CPIP their
# people's (Marie Lefèvre and Karim Benali), a psychologist asked to contribute about Marie hers alone, another
# CPIP, a psychologist or a social worker asked about neither no name (subject ids only); auditors
# pseudonyms, names breaking the glass. Another establishment's staff, or a token naming none, get no session
# (ADR 26). The day is the group's first session, which both people sit in.
SCHEDULE = "/schedule?from=2031-02-03&to=2031-02-03&establishment=CP d'Arras"
NAMED_SCHEDULE = (200, {"present": {"items"}, "shows": {"LEFEVRE", "BENALI"}})
UNNAMED_SCHEDULE = (200, {"present": {"items"}, "shows": {"OTHER_PERSON"}, "hides": {"LEFEVRE", "BENALI"}})

# One person's schedule (`subject_id=`, Marie Lefèvre's) on the same need-to-know: those who may read her
# name find her sessions; another CPIP, a psychologist or a social worker not asked about her find none, as
# another establishment's staff find none (an empty list: nothing tells whether she exists).
PERSON_SCHEDULE = "/schedule?from=2031-02-03&to=2031-02-03&subject_id={person}"

# What a proposed session would conflict with (issue 15 #2, `/schedule/conflicts/preview`): those who review
# partners' proposals (the head of IPRO, the RIPRO, the DPIP) read the sessions already in its room or run by its
# facilitators, and no participant; every other role is refused, as the same reviewers are for an establishment
# outside their token's. The group's first session holds Salle 2 and Camille Animatrice that morning.
CONFLICT_PREVIEW = (
    "/schedule/conflicts/preview?establishment=CP d'Arras&room=Salle 2&facilitator=Camille Animatrice"
    "&starts_at=2031-02-03T08:30:00Z&ends_at=2031-02-03T09:30:00Z"
)

PROJECTIONS_SCHEDULE = [
    *rows(
        "projections",
        "GET",
        CONFLICT_PREVIEW,
        {
            **dict.fromkeys(
                (Scope.IPRO_HEAD, Scope.RIPRO, Scope.DPIP),
                (200, {"present": {"items"}, "hides": {"LEFEVRE", "OTHER_PERSON"}}),
            ),
            **refused_to(
                (
                    Scope.REFERENT,
                    Scope.PSY_ASKED,
                    Scope.IPRO_ADVISER,
                    Scope.DIRECTION,
                    Scope.AUDITOR,
                    Scope.PARTNER,
                )
            ),
            **UNAUTHENTICATED,
            **refused_to(
                (Scope.IPRO_HEAD_ELSEWHERE, Scope.DPIP_ELSEWHERE, Scope.NO_ESTABLISHMENT),
                "establishment-not-reached",
            ),
        },
    ),
    *rows(
        "projections",
        "GET",
        PERSON_SCHEDULE,
        {
            **dict.fromkeys(
                (Scope.DPIP, Scope.REFERENT, Scope.PSY_ASKED, Scope.IPRO_ADVISER, Scope.DIRECTION),
                (200, {"present": {"items"}, "shows": {"LEFEVRE"}}),
            ),
            Scope.AUDITOR: (200, {"present": {"items"}, "hides": {"LEFEVRE"}}),
            **dict.fromkeys(
                (
                    Scope.OTHER_CPIP,
                    Scope.PSY_NOT_ASKED,
                    Scope.SOCIAL_NOT_ASKED,
                    Scope.REFERENT_ELSEWHERE,
                    Scope.PSY_ASKED_ELSEWHERE,
                ),
                (200, {"absent": {"items"}, "hides": {"OTHER_PERSON"}}),
            ),
        },
    ),
    *rows(
        "projections",
        "GET",
        SCHEDULE,
        {
            **dict.fromkeys(
                (
                    Scope.DPIP,
                    Scope.REFERENT,
                    Scope.IPRO_ADVISER,
                    Scope.IPRO_HEAD,
                    Scope.RIPRO,
                    Scope.DIRECTION,
                    Scope.AUDITOR_BREAK_GLASS,
                ),
                NAMED_SCHEDULE,
            ),
            Scope.PSY_ASKED: (200, {"present": {"items"}, "shows": {"LEFEVRE"}, "hides": {"BENALI"}}),
            **dict.fromkeys(
                (Scope.OTHER_CPIP, Scope.PSY_NOT_ASKED, Scope.SOCIAL_NOT_ASKED, Scope.AUDITOR),
                UNNAMED_SCHEDULE,
            ),
            Scope.PARTNER: (200, {"hides": {"LEFEVRE", "BENALI"}}),
            **UNAUTHENTICATED,
            **dict.fromkeys(
                (
                    Scope.REFERENT_ELSEWHERE,
                    Scope.DPIP_ELSEWHERE,
                    Scope.PSY_ASKED_ELSEWHERE,
                    Scope.DIRECTION_ELSEWHERE,
                    Scope.AUDITOR_ELSEWHERE,
                    Scope.NO_ESTABLISHMENT,
                ),
                (200, {"absent": {"items"}, "hides": {"LEFEVRE", "OTHER_PERSON"}}),
            ),
        },
    ),
]

# --- projections: the consultation journal (issue 18 #1, #2) ---------------------------------------------

# Auditors and the DPIP read who consulted a person; every other role is refused. Another establishment's
# DPIP or auditor, or a token naming none, finds no consultation of a person of this one (ADR 26). The world
# holds one entry: the DPIP's read of Marie Lefèvre's file.
JOURNAL = "/audit/access?subject_id={person}"

PROJECTIONS_JOURNAL = [
    *rows(
        "projections",
        "GET",
        JOURNAL,
        {
            Scope.DPIP: (200, {"present": {"items"}}),
            Scope.AUDITOR: (200, {"present": {"items"}}),
            **refused_to((Scope.REFERENT, Scope.PSY_ASKED, Scope.IPRO_HEAD, Scope.DIRECTION, Scope.PARTNER)),
            **UNAUTHENTICATED,
            **dict.fromkeys(
                (Scope.DPIP_ELSEWHERE, Scope.AUDITOR_ELSEWHERE, Scope.NO_ESTABLISHMENT),
                (200, {"absent": {"items"}}),
            ),
        },
    )
]

MATRIX: list[Row] = [
    *ASSESSMENT,
    *PARTNERS,
    *PROGRAMMES,
    *IPRO,
    *PROJECTIONS,
    *ASSESSMENT_PERIMETER,
    *PROGRAMMES_PERIMETER,
    *IPRO_PERIMETER,
    *PROJECTIONS_PERIMETER,
    *PROJECTIONS_MOVEMENTS,
    *PROJECTIONS_COVERAGE,
    *PROJECTIONS_QUEUES,
    *PROJECTIONS_AUDIT_LOG,
    *PROJECTIONS_INDICATORS,
    *PROJECTIONS_SCHEDULE,
    *PROJECTIONS_JOURNAL,
]
