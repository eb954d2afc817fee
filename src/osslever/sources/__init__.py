"""Adapters that read one kind of input and write normalised rows into the store."""
