"""Documents for people and machines: JSON first, then Markdown and HTML from the same document."""
