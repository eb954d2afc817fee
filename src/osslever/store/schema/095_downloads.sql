-- Package downloads, as each registry publishes them. Written by osslever.sources.downloads,
-- read by osslever.metrics.downloads.
--
-- A count is stored only for a period the registry answered for; what was asked and
-- answered is in download_coverage, so a month with no row inside a covered range is a
-- measured zero and a month outside every covered range is "not measured" (never 0).
CREATE TABLE IF NOT EXISTS download_counts (
    ecosystem   VARCHAR NOT NULL,   -- npm, pypi, crates, docker, homebrew
    package     VARCHAR NOT NULL,   -- the registry's own name (npm scopes kept: @scope/name)
    day         DATE NOT NULL,      -- the day counted (UTC, as the registry counts)
    downloads   BIGINT NOT NULL,
    source      VARCHAR NOT NULL,   -- npm-api, pypistats, bigquery-export, clickpy, crates-api
    PRIMARY KEY (ecosystem, package, day, source)
);

-- Day ranges a source answered for (inclusive), one row per request that succeeded.
CREATE TABLE IF NOT EXISTS download_coverage (
    ecosystem   VARCHAR NOT NULL,
    package     VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    first_day   DATE NOT NULL,
    last_day    DATE NOT NULL,
    fetched_at  TIMESTAMP NOT NULL
);

-- Registries that publish only totals: Docker Hub's cumulative pull count, Homebrew's
-- install counts over 30/90/365 days. Each reading is kept with its date; growth is derived
-- between readings, never invented between them.
CREATE TABLE IF NOT EXISTS download_samples (
    ecosystem   VARCHAR NOT NULL,
    package     VARCHAR NOT NULL,
    read_at     TIMESTAMP NOT NULL,
    kind        VARCHAR NOT NULL,   -- cumulative | window_30d | window_90d | window_365d
    value       BIGINT NOT NULL,
    source      VARCHAR NOT NULL,
    PRIMARY KEY (ecosystem, package, read_at, kind)
);

-- Which packages are a project's own: found in its manifests by `ingest downloads PATH`, or
-- named with `--project OWNER/NAME`. The metrics and the report of that project show them.
CREATE TABLE IF NOT EXISTS project_packages (
    project     VARCHAR NOT NULL,   -- owner/name (lower case)
    ecosystem   VARCHAR NOT NULL,
    package     VARCHAR NOT NULL,
    found_in    VARCHAR NOT NULL,   -- package.json, pyproject.toml, Cargo.toml, or "user"
    PRIMARY KEY (project, ecosystem, package)
);
