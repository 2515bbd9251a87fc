"""The auditors' view of the log over HTTP (issue 16 item 4, ADR 30): every event of the topics projections
reads, as published, read by stream or by person. `passerelle audit stream|subject` reads the services' own
tables; this view serves auditors who hold a token, not the operators' credentials."""
