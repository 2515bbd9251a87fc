"""The consultation journal as auditors read it (kernel.journal, docs/audit.md): the entries every service
produces to `access.journal`, kept in an append-only table for the journal's retention (`ingest`, `store`),
and `GET /audit/access` (`http`)."""
