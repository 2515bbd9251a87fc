-- An idempotency record keeps no copy of the answer (issue 17 #4, ADR 5 revised): the request's digest, the
-- first status and the path of the GET of the resource the command acted on ("/cases/c-123"). A replay reads
-- that resource again as its caller may see it now. The answers recorded so far cannot tell which resource
-- they were (the route's template was not kept), so those records, a retry's memory of at most a few days
-- (IDEMPOTENCY_KEYS_RETENTION_DAYS), are deleted with the personal data they held: a retry sent across this
-- upgrade runs its command again.
DELETE FROM idempotency_keys;
ALTER TABLE idempotency_keys DROP COLUMN response;
ALTER TABLE idempotency_keys ADD COLUMN resource text NOT NULL;
