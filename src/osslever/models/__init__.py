"""Reasoning over metrics: readings, strategy, license and finance models."""
