-- OpenRank (OpenDigger's global OpenRank), one row per node per month.
-- Written by osslever.metrics.openrank; read by `rank`, `metrics` (openrank) and exports.
-- Quarter and year values are sums of the months (as OpenDigger's getRepoOpenrank sums).
CREATE TABLE IF NOT EXISTS gh_openrank (
    period     VARCHAR NOT NULL,   -- YYYY-MM
    node_type  VARCHAR NOT NULL,   -- 'repo' or 'user'
    node       VARCHAR NOT NULL,   -- owner/name or login, as last seen that month
    value      DOUBLE NOT NULL     -- background share included
);

-- Who each row is: 'id:<GitHub id>' ('name:<lower-case name>' for records without an id),
-- so a renamed repository or user keeps its prior value from earlier months.
CREATE TABLE IF NOT EXISTS gh_openrank_keys (
    period     VARCHAR NOT NULL,
    node_type  VARCHAR NOT NULL,
    node       VARCHAR NOT NULL,
    node_key   VARCHAR NOT NULL,
    PRIMARY KEY (period, node_type, node_key)
);

-- One row per month computed: the event count it saw, so new events for a month make it
-- (and every later month, whose prior values depend on it) be computed again.
CREATE TABLE IF NOT EXISTS gh_openrank_runs (
    period       VARCHAR NOT NULL PRIMARY KEY,
    events       BIGINT NOT NULL,   -- events of the five OpenRank types in that month
    repos        BIGINT NOT NULL,
    users        BIGINT NOT NULL,
    edges        BIGINT NOT NULL,
    iterations   INTEGER NOT NULL,  -- Pregel supersteps, superstep 0 included
    converged    BOOLEAN NOT NULL,
    computed_at  TIMESTAMP NOT NULL
);
