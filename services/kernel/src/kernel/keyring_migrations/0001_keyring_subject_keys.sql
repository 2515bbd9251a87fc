-- The keyring (issue 17): one data key per person, wrapped by a key-encryption key. Its own database, which
-- every service reaches (production: writers may SELECT and INSERT, readers SELECT only, the erasure job
-- UPDATE; see docs/decisions on the key hierarchy). Not append-only: destroying a key overwrites it.
CREATE TABLE subject_keys (
    subject_id        text PRIMARY KEY,       -- the envelope's subject, or "stream:<stream id>"
    wrapped_key       bytea,                  -- NULL once destroyed: what it encrypted reads as erased
    kek_id            text,                   -- the KEK (or KMS/transit key version) that wrapped it
    key_version       integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    key_rewrapped_at  timestamptz,            -- last KEK rotation of this key
    destroyed_at      timestamptz,
    CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL)),
    CHECK (wrapped_key IS NULL OR kek_id IS NOT NULL)
);

-- A destroyed key stays destroyed, and its row stays (a new key would let personal data be written again).
CREATE FUNCTION refuse_key_resurrection() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'a data key is destroyed, never deleted';
    END IF;
    IF OLD.wrapped_key IS NULL AND NEW.wrapped_key IS NOT NULL THEN
        RAISE EXCEPTION 'a destroyed data key cannot come back';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER subject_keys_stay_destroyed BEFORE UPDATE OR DELETE ON subject_keys
    FOR EACH ROW EXECUTE FUNCTION refuse_key_resurrection();
