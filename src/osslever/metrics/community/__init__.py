"""Community health from git history, each metric named after its public definition.

All read the ``commit_facts`` table built by ``facts.build`` (one history).
Definitions and sources: docs/metrics.md.
"""
