-- Services run as members of `passerelle_service`, migrations as the database's owner (ADR 20). The service
-- may read and write its own tables but only insert into and read the event store: it cannot update, delete
-- or truncate history, nor (not being the owner) disable or drop the append-only trigger.
-- Roles are cluster-wide and provisioned with the databases (devinfra, deploy/postgres/init.sql); a database
-- migrated by a superuser elsewhere gets the group role here, so the grants below always have a grantee.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'passerelle_service') THEN
        CREATE ROLE passerelle_service NOLOGIN;
    END IF;
END $$;

GRANT USAGE ON SCHEMA public TO passerelle_service;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO passerelle_service;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO passerelle_service;
-- Tables the later migrations create (run by the same owner) get the same rights.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO passerelle_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO passerelle_service;

REVOKE UPDATE, DELETE, TRUNCATE ON events FROM passerelle_service;
