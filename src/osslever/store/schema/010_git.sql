-- Git history, as read by osslever.sources.git. One row per analysed (location, ref).
CREATE SEQUENCE IF NOT EXISTS git_history_ids START 1;

CREATE TABLE IF NOT EXISTS git_histories (
    history_id   INTEGER PRIMARY KEY DEFAULT nextval('git_history_ids'),
    location     VARCHAR NOT NULL,      -- absolute path or clone URL, as the user gave it
    git_dir      VARCHAR NOT NULL,      -- where git reads it (a cache clone for URLs)
    ref          VARCHAR NOT NULL,      -- the ref the user asked for (default HEAD)
    name         VARCHAR NOT NULL,      -- short display name
    slug         VARCHAR,               -- owner/name when the remote is on a forge
    tip          VARCHAR,               -- commit the stored history is complete up to
    complete     BOOLEAN NOT NULL DEFAULT FALSE,
    shallow      BOOLEAN NOT NULL DEFAULT FALSE,
    mailmap_key  VARCHAR,               -- fingerprint of the .mailmap identities were resolved with
    updated_at   TIMESTAMP,
    UNIQUE (location, ref)
);

-- Raw author fields (before .mailmap), so editing .mailmap never forces re-reading history.
CREATE TABLE IF NOT EXISTS git_commits (
    history_id     INTEGER NOT NULL,
    sha            VARCHAR NOT NULL,
    parents        SMALLINT NOT NULL,
    author_name    VARCHAR NOT NULL,
    author_email   VARCHAR NOT NULL,
    author_time    BIGINT NOT NULL,     -- unix seconds (UTC)
    committer_time BIGINT NOT NULL,
    lines_added    BIGINT NOT NULL,     -- numstat sums; binary files count 0; merges 0
    lines_deleted  BIGINT NOT NULL,
    files_changed  INTEGER NOT NULL,
    PRIMARY KEY (history_id, sha)
);

-- Raw (name, e-mail) → mailmapped name and lower-cased e-mail (the identity key).
CREATE TABLE IF NOT EXISTS git_identities (
    history_id INTEGER NOT NULL,
    raw_name   VARCHAR NOT NULL,
    raw_email  VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,
    identity   VARCHAR NOT NULL,
    PRIMARY KEY (history_id, raw_name, raw_email)
);

CREATE TABLE IF NOT EXISTS git_tags (
    history_id INTEGER NOT NULL,
    name       VARCHAR NOT NULL,
    sha        VARCHAR NOT NULL,        -- the commit the tag points to
    tagged_at  BIGINT NOT NULL,         -- tagger date (annotated) or commit date (lightweight)
    PRIMARY KEY (history_id, name)
);
