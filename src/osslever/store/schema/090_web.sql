-- The web dashboard's own inputs: profiles edited in the browser, billing files uploaded
-- there, and the assessments it ran (the latest one per profile is shown on overviews).
-- Written by osslever.web only, one writer at a time (osslever.web.backend.Backend.writing).
CREATE TABLE IF NOT EXISTS web_profiles (
    name        VARCHAR NOT NULL PRIMARY KEY, -- what the user called it (free text, escaped on pages)
    body        VARCHAR NOT NULL,             -- the profile as YAML text, exactly as edited
    project     VARCHAR,                      -- project id whose measurements are evidence (git:N / gh:o/n)
    billing     VARCHAR,                      -- web_billing.name whose finance document is evidence
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS web_billing (
    name         VARCHAR NOT NULL PRIMARY KEY,
    content      BLOB NOT NULL,               -- the uploaded export, byte for byte
    uploaded_at  TIMESTAMP NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS web_assessment_ids START 1;

CREATE TABLE IF NOT EXISTS web_assessments (
    assessment_id INTEGER PRIMARY KEY DEFAULT nextval('web_assessment_ids'),
    profile       VARCHAR NOT NULL,
    project       VARCHAR,
    lang          VARCHAR NOT NULL,
    document      VARCHAR NOT NULL,           -- the `assess` JSON document
    created_at    TIMESTAMP NOT NULL
);
