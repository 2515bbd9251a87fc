"""HTTP routes of the IPRO service, one router per resource: parse, authorise, call a handler, translate."""

from ipro.http import pathways, positionings, reports, trainings, work

routers = [pathways.router, work.router, trainings.router, positionings.router, reports.router]
