"""HTTP routes of the programmes service, one router per resource: parse the request into a command, run
its handler, render the view."""

from programmes.http import groups, programmes, referrals, register, schedule

routers = [programmes.router, groups.router, register.router, referrals.router, schedule.router]
