-- OpenRank at the scale of all of GitHub (issue 15): each month's prior values come from
-- a small table of each node's latest value instead of a scan of every stored month, and
-- a month's millions of rows are written once, without the cost of a primary-key index.

-- gh_openrank carries each row's identity itself: 'id:<GitHub id>', or 'name:<lower-case
-- name>' for records without an id (what readers used to get by joining gh_openrank_keys).
-- gh_openrank_keys stays as a view of it, for readers written before: the table and its
-- PRIMARY KEY (period, node_type, node_key) made every month's ~2 million nodes be written
-- twice and indexed once, the slowest step of a month. The key is still unique within a
-- month: write_month writes the distinct keys of the month's edges.
ALTER TABLE gh_openrank ADD COLUMN node_key VARCHAR;
UPDATE gh_openrank AS o SET node_key = k.node_key
FROM gh_openrank_keys AS k
WHERE k.period = o.period AND k.node_type = o.node_type AND k.node = o.node;
UPDATE gh_openrank SET node_key = 'name:' || lower(node) WHERE node_key IS NULL;
DROP TABLE gh_openrank_keys;
CREATE VIEW gh_openrank_keys AS SELECT period, node_type, node, node_key FROM gh_openrank;

-- Each node's latest stored value and its month: what the next month's prior value is
-- decayed from (value × attenuation^(months since)). Kept by write_month in the same
-- transaction as the month's rows, rebuilt from gh_openrank when months are deleted; a
-- store from before this migration gets it filled from its history here.
CREATE TABLE gh_openrank_carried (
    node_type    VARCHAR NOT NULL,
    node_key     VARCHAR NOT NULL,
    value        DOUBLE NOT NULL,   -- the node's value in its latest stored month
    period       VARCHAR NOT NULL,  -- that month, YYYY-MM
    month_index  INTEGER NOT NULL   -- year·12 + month − 1, so differences count months
);
INSERT INTO gh_openrank_carried
SELECT node_type, node_key, arg_max(value, period), max(period),
       max(CAST(substr(period, 1, 4) AS INTEGER) * 12 + CAST(substr(period, 6, 2) AS INTEGER) - 1)
FROM gh_openrank
GROUP BY node_type, node_key;
