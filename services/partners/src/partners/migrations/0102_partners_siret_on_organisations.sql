-- One organisation per SIRET, held by the organisations table itself: one statement fewer per registration.
CREATE UNIQUE INDEX organisations_one_per_siret ON organisations (siret);
DROP TABLE partner_sirets;
