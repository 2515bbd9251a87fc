-- One database per service (run once, when the postgres:18 container initialises its volume), owned by the
-- role that migrates it; each service logs in as its own role, which only it may connect with (ADR 20).
-- The table rights of `passerelle_service` are granted by the kernel's migration 0006.
CREATE ROLE passerelle_owner LOGIN;
CREATE ROLE passerelle_service NOLOGIN;
CREATE ROLE assessment_service LOGIN IN ROLE passerelle_service;
CREATE ROLE programmes_service LOGIN IN ROLE passerelle_service;
CREATE ROLE ipro_service LOGIN IN ROLE passerelle_service;
CREATE ROLE partners_service LOGIN IN ROLE passerelle_service;
CREATE ROLE projections_service LOGIN IN ROLE passerelle_service;
CREATE DATABASE assessment OWNER passerelle_owner;
CREATE DATABASE programmes OWNER passerelle_owner;
CREATE DATABASE ipro OWNER passerelle_owner;
CREATE DATABASE partners OWNER passerelle_owner;
CREATE DATABASE projections OWNER passerelle_owner;
REVOKE CONNECT ON DATABASE assessment, programmes, ipro, partners, projections FROM PUBLIC;
GRANT CONNECT ON DATABASE assessment TO assessment_service;
GRANT CONNECT ON DATABASE programmes TO programmes_service;
GRANT CONNECT ON DATABASE ipro TO ipro_service;
GRANT CONNECT ON DATABASE partners TO partners_service;
GRANT CONNECT ON DATABASE projections TO projections_service;
-- The audit archive of restricted events (ADR 28): owned by the archiver's role, which migrates and writes it
-- (`passerelle audit archive`); auditors read it; no service role may connect.
CREATE ROLE audit_archive LOGIN;
CREATE ROLE auditor LOGIN;
CREATE DATABASE audit_archive OWNER audit_archive;
REVOKE CONNECT ON DATABASE audit_archive FROM PUBLIC;
GRANT CONNECT ON DATABASE audit_archive TO auditor;
-- The keyring of per-person data keys (ADR 24), one for the deployment, owned by the role that migrates it; each
-- service's role joins the keyring role its work needs (devinfra.keyring.KEYRING_ROLES, as `make up` provisions
-- it; keyring migration 0003 grants the table rights): assessment erases, projections only reads.
CREATE DATABASE keyring OWNER passerelle_owner;
CREATE ROLE keyring_reader NOLOGIN;
CREATE ROLE keyring_writer NOLOGIN;
CREATE ROLE keyring_eraser NOLOGIN;
GRANT keyring_eraser TO assessment_service;
GRANT keyring_writer TO programmes_service;
GRANT keyring_writer TO ipro_service;
GRANT keyring_writer TO partners_service;
GRANT keyring_reader TO projections_service;
REVOKE CONNECT ON DATABASE keyring FROM PUBLIC;
GRANT CONNECT ON DATABASE keyring TO assessment_service, programmes_service, ipro_service, partners_service,
    projections_service;
