"""The strategy engine: the seeds' frameworks as open, traceable rules.

Public entry points (re-exported by ``osslever.api``):

* ``assess_document(profile, evidence=None, rule_dirs=None, lang="en")`` → the assess
  JSON document (../shared/contracts/assess-json.md);
* ``load_profile(path)`` → a validated profile dict;
* ``evidence_from_documents(report=, license=, finance=, events=)`` → measured evidence.

The engine (``engine.py``) is generic; the knowledge is the rule pack in
``osslever/data/rules`` plus the tables in ``osslever/data/strategy``.
"""

from osslever.models.strategy.document import assess_document
from osslever.models.strategy.evidence import evidence_from_documents
from osslever.models.strategy.profile import load_profile

__all__ = ["assess_document", "evidence_from_documents", "load_profile"]
