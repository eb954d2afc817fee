"""GH Archive (https://www.gharchive.org/): hourly gzip JSON-lines files of GitHub events.

``download`` fetches hours (parallel, resumable, verified), ``reader`` turns one
file into normalised rows (``normalize`` defines each column once, for DuckDB
and Spark alike), ``ingest`` writes them into the store one file per transaction.
"""
