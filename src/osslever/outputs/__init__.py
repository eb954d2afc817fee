"""Documents for people and machines (JSON, Markdown, HTML, terminal tables)."""
