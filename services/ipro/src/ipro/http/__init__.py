"""HTTP routes of the IPRO service, one router per resource: parse the request into a command (or a read),
call a handler (or `reads`), render the view."""

from ipro.http import pathways, positionings, reports, trainings, work

routers = [pathways.router, work.router, trainings.router, positionings.router, reports.router]
