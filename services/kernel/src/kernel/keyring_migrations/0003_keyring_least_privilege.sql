-- Who may do what with the data keys (ADR 24): a service's login role is a member of one of these roles.
-- Readers (projections) only read keys; writers (programmes, IPRO, partners) also make a person's first key;
-- the erasure job (assessment) also destroys one, through the columns destroying writes. No one deletes a row
-- (the trigger refuses it too), and only the owner, which migrates, may rewrap keys (an operator's rotation).
-- Roles are cluster-wide and provisioned with the database (devinfra.keyring); a keyring migrated by a
-- superuser elsewhere gets them here, so the grants below always have a grantee.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'keyring_reader') THEN
        CREATE ROLE keyring_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'keyring_writer') THEN
        CREATE ROLE keyring_writer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'keyring_eraser') THEN
        CREATE ROLE keyring_eraser NOLOGIN;
    END IF;
END $$;

REVOKE ALL ON subject_keys FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO keyring_reader, keyring_writer, keyring_eraser;
-- A service checks the migrations with its own rights at start (yoyo reads its tables and takes its lock).
GRANT SELECT ON ALL TABLES IN SCHEMA public TO keyring_reader, keyring_writer, keyring_eraser;
GRANT INSERT, DELETE ON yoyo_lock TO keyring_reader, keyring_writer, keyring_eraser;

GRANT INSERT ON subject_keys TO keyring_writer, keyring_eraser;
GRANT UPDATE (wrapped_key, kek_id, destroyed_at) ON subject_keys TO keyring_eraser;
