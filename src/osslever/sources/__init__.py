"""Adapters that read one kind of input each and write normalised rows to the store."""
