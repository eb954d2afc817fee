"""Who is who: identities (mailmapped e-mail), bots, and organizations.

The identity key is the lower-cased e-mail after ``.mailmap`` (CHAOSS; Augur
dropped name-based merging after wrong merges, so names never merge people).
"""
