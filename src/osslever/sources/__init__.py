"""Adapters that read one kind of input (git, events, manifests, ...)."""
