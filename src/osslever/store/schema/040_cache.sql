-- Derived documents keyed by what they were computed from (e.g. a license scan of a
-- commit): a re-run on an unchanged input reads them instead of recomputing.
CREATE TABLE IF NOT EXISTS document_cache (
    kind      VARCHAR NOT NULL,
    key       VARCHAR NOT NULL,
    document  VARCHAR NOT NULL,   -- JSON text
    PRIMARY KEY (kind, key)
);
