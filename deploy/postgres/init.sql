-- One database per service (run once, when the postgres:18 container initialises its volume).
CREATE DATABASE assessment;
CREATE DATABASE programmes;
CREATE DATABASE ipro;
CREATE DATABASE partners;
CREATE DATABASE projections;
