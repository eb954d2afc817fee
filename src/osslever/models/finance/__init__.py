"""Finance: revenue metrics from billing data, and Monte Carlo forecasts by business model.

Public entry points (re-exported by ``osslever.api``):

* ``finance_document`` — the ``finance metrics`` JSON document from a billing export;
* ``forecast_document`` — the ``forecast`` JSON document from a scenario;
* ``profile_evidence`` — profile fields (``finance.*``) measured by a finance document.
"""

from __future__ import annotations

from osslever.models.finance.evidence import profile_evidence
from osslever.models.finance.metrics_document import finance_document

__all__ = ["finance_document", "forecast_document", "profile_evidence"]


def forecast_document(
    scenario,
    paths: int = 10000,
    seed: int | None = None,  # noqa: ANN001
    evidence: dict | None = None,
) -> dict:
    """Simulate every business model of ``scenario`` (a dict or a YAML path); see forecast.py."""
    from osslever.models.finance.forecast import forecast_document as _forecast

    return _forecast(scenario, paths=paths, seed=seed, evidence=evidence)
