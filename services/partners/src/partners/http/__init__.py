"""HTTP routes of the partners service, one router per resource: parse, authorise, call a handler,
translate."""

from partners.http.actions import catalogue_router as catalogue
from partners.http.actions import router as actions
from partners.http.calls import router as calls
from partners.http.organisations import router as organisations
from partners.http.proposals import router as proposals

routers = [calls, organisations, proposals, actions, catalogue]
