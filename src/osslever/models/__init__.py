"""Reasoning over metrics and facts: strategy, license, finance."""
