"""Billing data: subscription exports (generic CSV, Stripe's export) → validated rows."""

from osslever.sources.billing.load import Billing, describe_problem, load_billing

__all__ = ["Billing", "describe_problem", "load_billing"]
