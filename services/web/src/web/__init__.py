"""Passerelle's web front-end: French, server-rendered pages over the services' JSON APIs (issue 20)."""
