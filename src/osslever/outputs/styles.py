"""The one font stack and the one print stylesheet of every page osslever renders for people.

Reports are read in Chinese and English, on screen and on paper, on machines we do not
know. A stack that names only Latin fonts leaves Chinese to whatever the system falls
back to — on a bare Linux that is no font at all, and a PDF printed there shows boxes
("tofu") instead of characters. So every HTML output (report, assess, finance, the
dossier) takes its fonts from here:

* Latin fonts first, so digits, names and English words look the same in both
  languages (CJK fonts carry Latin glyphs too, but narrower and different per vendor);
* then the CJK fonts a reader is likely to have: Noto Sans CJK SC (Linux; Debian's
  ``fonts-noto-cjk``, which CI installs), Source Han Sans SC (the same design, Adobe's
  name), PingFang SC (macOS, iOS), Microsoft YaHei (Windows), WenQuanYi Micro Hei
  (older Linux) — the browser picks per character, so Chinese in an English sentence
  still finds a CJK font;
* ``sans-serif`` last.

Names are single-quoted so the same string works in a CSS rule and inside a
double-quoted SVG attribute (``svg.py``).

``print_css()`` is the paper layout (A4, margins, no page break inside a table row or
a chart, no buttons or forms on paper, folded details unfolded): the existing reports
include it, and the PDF dossier (``pdf.html_to_pdf``) relies on it.
"""

from __future__ import annotations

from markupsafe import Markup

LATIN_FONTS: tuple[str, ...] = (
    "-apple-system",
    "BlinkMacSystemFont",
    "Segoe UI",
    "Roboto",
    "Helvetica Neue",
    "Arial",
    "Liberation Sans",
)
"""Latin faces of macOS, Windows, Android and Linux (Liberation Sans is Arial's metric twin)."""

CJK_FONTS: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "PingFang SC",
    "Microsoft YaHei",
    "WenQuanYi Micro Hei",
)
"""Simplified-Chinese faces, most widely installed first per platform (see the module docstring)."""

MONO_FONTS: tuple[str, ...] = ("ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono")
"""Code, hashes and rule ids: monospace Latin, then the same CJK fallbacks."""


def _family(names: tuple[str, ...], generic: str) -> str:
    """A CSS ``font-family`` value: names with spaces quoted, the generic family last."""
    quoted = [f"'{n}'" if " " in n else n for n in names]
    return ",".join([*quoted, generic])


FONT_FAMILY: str = _family(LATIN_FONTS + CJK_FONTS, "sans-serif")
"""The stack as a ``font-family`` value, for CSS and for SVG ``font-family`` attributes."""

MONO_FAMILY: str = _family(MONO_FONTS + CJK_FONTS, "monospace")


def font_css() -> str:
    """Screen and paper: the body, form controls (which do not inherit fonts) and code."""
    return (
        f":root{{--osslever-font:{FONT_FAMILY};--osslever-mono:{MONO_FAMILY}}}"
        "body,button,input,select,textarea{font-family:var(--osslever-font)}"
        "code,pre,kbd,samp{font-family:var(--osslever-mono)}"
    )


def print_css() -> str:
    """The paper layout, inert on screen: A4 pages, nothing interactive, no broken rows or charts.

    ``break-inside: avoid`` is a wish, not an order: a table longer than a page still
    breaks (between rows, with its header repeated); a chart or a row never does.
    Closed ``<details>`` are opened (``::details-content``, Chromium 131+), because
    paper cannot be clicked; colours are kept (``print-color-adjust``) because charts
    and heat maps carry meaning in them.
    """
    return (
        "@page{size:A4;margin:16mm 14mm 18mm}"
        "@media print{"
        "html,body{background:#fff}"
        "body{margin:0;-webkit-print-color-adjust:exact;print-color-adjust:exact}"
        "main{max-width:none;margin:0;padding:0}"
        "h1,h2,h3,h4,caption{break-after:avoid-page}"
        "table,figure,svg,img,pre,blockquote,.card,.kpi{break-inside:avoid-page}"
        "tr,li{break-inside:avoid-page}"
        "thead{display:table-header-group}"
        "details::details-content{content-visibility:visible;display:contents}"
        "summary{list-style:none}summary::-webkit-details-marker{display:none}"
        "button,input,select,textarea,form,nav,dialog,[role=button],.no-print{display:none!important}"
        "a{color:inherit;text-decoration:none}"
        "section,.card,.kpi{box-shadow:none}"
        "}"
    )


def template_globals() -> dict[str, Markup]:
    """``font_css`` and ``print_css`` for the templates: our own constants, so never escaped."""
    return {"font_css": Markup(font_css()), "print_css": Markup(print_css())}
