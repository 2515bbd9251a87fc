"""HTTP routes of the assessment service, one router per resource: parse, authorise, call a handler,
translate."""

from assessment.http import assessments, cases, deadlines, interviews, plans

routers = [
    cases.router, assessments.case_router, assessments.router, plans.case_router, plans.router, interviews.router,
    deadlines.router,
]
