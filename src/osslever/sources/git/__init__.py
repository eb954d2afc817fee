"""Git history: open or clone a repository, stream its log, ingest it incrementally."""
