"""Who is who: identities (mailmapped e-mail), people, bots, organizations, affiliations.

An identity is the lower-cased e-mail after ``.mailmap``; ``resolve`` merges
identities into people with zero setup (shared mailbox, GitHub noreply account,
specific names — never common ones, never with bots), each merge with its rule
and confidence; the user's affiliation file (``people:``) wins over it.
"""
