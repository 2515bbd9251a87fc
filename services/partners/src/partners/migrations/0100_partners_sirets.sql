-- One organisation per SIRET: reserved in the same transaction as the registration event.
CREATE TABLE partner_sirets (
    siret       text PRIMARY KEY,
    partner_id  text NOT NULL UNIQUE
);
