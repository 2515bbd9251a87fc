-- Every process caches unwrapped keys (KEYRING_CACHE_SECONDS). A destruction is announced on commit, whoever
-- makes it (the erasure job, an operator's SQL), so that each keyring drops that key from its cache at once
-- (`Keyring.listen`): a replica must not open, and copy in clear, an erased person's data with a cached key.
CREATE FUNCTION notify_key_destroyed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('keyring_key_destroyed', NEW.subject_id);
    RETURN NULL;
END $$;

CREATE TRIGGER subject_keys_destroyed_notify AFTER INSERT OR UPDATE OF wrapped_key ON subject_keys
    FOR EACH ROW WHEN (NEW.wrapped_key IS NULL) EXECUTE FUNCTION notify_key_destroyed();
