"""Metrics: small functions of the store, named after their public definitions."""
