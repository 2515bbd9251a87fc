"""The services' signed checkpoints (ADR 27) read by projections, and the view of the log checked against them
for auditors over HTTP (ADR 30 addendum): `GET /audit/checkpoints`."""
