-- Migration 2: the tables in which a store says what it is besides its migrations (carelens/model/metadata.py, as declared
-- when they were added; frozen here, so that a later change to them is a later migration).
CREATE TABLE IF NOT EXISTS "store_versions" (
  "version" BIGINT NOT NULL,
  "version_id" VARCHAR NOT NULL,
  "made_at" VARCHAR NOT NULL,
  "change" VARCHAR NOT NULL,
  "carelens_version" VARCHAR NOT NULL,
  "schema_version" INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS "store_loads" (
  "load_id" BIGINT NOT NULL,
  "version" BIGINT NOT NULL,
  "loaded_at" VARCHAR,
  "carelens_version" VARCHAR,
  "source" VARCHAR NOT NULL,
  "return_kind" VARCHAR,
  "collection_year" INTEGER,
  "checksum" VARCHAR,
  "la_code" VARCHAR NOT NULL,
  "children" BIGINT,
  "rows" BIGINT,
  "synthetic" BOOLEAN NOT NULL,
  "profile" VARCHAR,
  "seed" BIGINT,
  "years" INTEGER
);
CREATE TABLE IF NOT EXISTS "store_authorities" (
  "la_code" VARCHAR NOT NULL,
  "children" BIGINT NOT NULL,
  "synthetic" BOOLEAN NOT NULL,
  "profile" VARCHAR,
  "seed" BIGINT
);
CREATE TABLE IF NOT EXISTS "store_coverage" (
  "la_code" VARCHAR NOT NULL,
  "table_name" VARCHAR NOT NULL,
  "first_day" DATE NOT NULL,
  "last_day" DATE NOT NULL
);
