"""The local web dashboard and REST API over the store (``osslever serve``).

Pages and JSON endpoints call the same document functions as the CLI
(``report_document``, ``metrics_document``, ``license_document``,
``assess_document``, ``finance_document``, ``rank_repos``); nothing here
computes a metric or applies a rule of its own. Areas that are not installed,
or have no data in the store, show a "not available" panel instead of failing.
"""

from osslever.web.app import create_app

__all__ = ["create_app"]
