-- Where each event stands in its service's log in the relay's order (ADR 2): the id of the transaction that
-- wrote it, which the relay publishes in a record header beside the envelope. With `position` it draws a signed
-- checkpoint's line (ADR 27, docs/audit.md §4): the view's heads at each checkpoint (`GET /audit/checkpoints`).
-- An `xid8` fits a bigint (its epoch would need 2^31 wraparounds to overflow). Null for events published
-- before the header, or by a tool that does not set it: those rows cannot be placed against a checkpoint.
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS transaction_id bigint;
-- Every event of a service in the relay's order: a checkpoint's heads are one walk of this index.
CREATE INDEX IF NOT EXISTS audit_log_by_service_order ON audit_log (service, transaction_id, position);
