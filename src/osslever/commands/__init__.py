"""One module per CLI command; each exposes ``command``. See ``osslever.cli``."""
