"""Finance reports: text, Markdown and self-contained HTML with inline SVG charts."""
