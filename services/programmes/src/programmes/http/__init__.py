"""HTTP routes of the programmes service, one router per resource: parse, authorise, call a handler,
translate."""

from programmes.http import groups, programmes, referrals, schedule

routers = [programmes.router, groups.router, referrals.router, schedule.router]
