"""Metrics: small functions of the store, each named after its public definition.

``community`` holds the git-history metrics (CHAOSS definitions); ``events``
the GitHub-event metrics (OpenDigger definitions). Every metric takes an
``Engine`` and runs SQL written once in DuckDB's dialect.
"""
