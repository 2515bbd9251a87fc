"""HTTP routes of the assessment service, one router per resource: parse the request into a command, run
its handler, render the outcome; reads go through `queries`. Each route declares its role policy
(`common`); what the caller may see or do within it is `assessment.access`."""

from assessment.http import assessments, cases, deadlines, erasure, interviews, plans

routers = [
    cases.router,
    assessments.case_router,
    assessments.router,
    plans.case_router,
    plans.router,
    interviews.router,
    deadlines.router,
    erasure.router,
]
