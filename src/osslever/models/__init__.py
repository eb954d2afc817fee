"""Reasoning over measurements: strategy, license and finance models."""
