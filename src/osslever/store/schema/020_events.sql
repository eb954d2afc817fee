-- GitHub events (GH Archive or the GitHub API), normalised: one row per event, no raw blob.
-- Written by osslever.sources.gharchive / osslever.sources.github_api; read by metrics/events.
-- A column the source did not carry is NULL (e.g. pr_merged in the trimmed 2025-10 payloads):
-- metrics that need it must say "not supported by the data", never count NULL as 0.
CREATE TABLE IF NOT EXISTS gh_events (
    event_id            VARCHAR NOT NULL,   -- GH Archive id; pre-2015 records: a stable hash.
                                            -- Unique by construction, not by a PRIMARY KEY: writers
                                            -- anti-join against stored ids in the same transaction
                                            -- (gharchive.ingest.insert_events) — an ART index cost
                                            -- ~40% of ingest and does not fit memory at GitHub scale.
    type                VARCHAR NOT NULL,   -- IssuesEvent, PullRequestEvent, WatchEvent, ...
    action              VARCHAR,            -- opened / closed / reopened / created / started ...
    created_at          TIMESTAMP NOT NULL, -- UTC
    actor_id            BIGINT,
    actor_login         VARCHAR,
    repo_id             BIGINT,
    repo_name           VARCHAR,            -- owner/name (lower-case comparison in queries); NULL for
                                            -- the few Timeline-era events without a repository
    org_login           VARCHAR,
    number              INTEGER,            -- issue or pull request number
    is_pull_request     BOOLEAN,            -- issue events/comments that belong to a PR
    issue_author_id     BIGINT,             -- author of the issue/PR the event is about
    issue_author_login  VARCHAR,
    issue_created_at    TIMESTAMP,          -- when the issue/PR was opened (from the payload)
    issue_closed_at     TIMESTAMP,
    pr_merged           BOOLEAN,            -- NULL when the payload does not carry it
    pr_merged_at        TIMESTAMP,
    pr_additions        BIGINT,
    pr_deletions        BIGINT,
    comment_id          BIGINT,             -- issue comment, review comment, or review id (by type)
    review_state        VARCHAR,
    push_size           INTEGER,            -- NULL in trimmed payloads
    push_distinct_size  INTEGER,
    payload_trimmed     BOOLEAN NOT NULL DEFAULT FALSE,
    source              VARCHAR NOT NULL    -- file name or api:<endpoint> the row came from
);

-- Column order above is osslever.sources.gharchive.normalize.COLUMNS + source; keep them in step.

-- One row per input unit (hourly file, API resource) fully ingested: makes re-runs skip it.
CREATE TABLE IF NOT EXISTS gh_sources (
    source       VARCHAR NOT NULL PRIMARY KEY,
    events       BIGINT NOT NULL,
    bad_lines    BIGINT NOT NULL,
    ingested_at  TIMESTAMP NOT NULL
);

-- Cache of the GitHub API adapter: ETags and high-water marks per (repo, resource).
CREATE TABLE IF NOT EXISTS gh_api_state (
    repo        VARCHAR NOT NULL,
    resource    VARCHAR NOT NULL,   -- stargazers, issues, pulls, comments, reviews:<n>, ...
    etag        VARCHAR,
    since       VARCHAR,            -- ISO time of the newest item seen (for ?since=)
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (repo, resource)
);
