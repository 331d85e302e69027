"""Word lists and thresholds, in one documented place.

Each pipeline stage reads its lists from the section named after it; change a
value here, not in the stage's code. Larger lists of entities (outlets,
platforms, government bodies) live in ``sourcecheck/data/`` as data files.
"""
from __future__ import annotations

# ----------------------------------------------------------------------------- article loading
#: Lines that are web-page leftovers, dropped when they stand alone on a line (case-insensitive).
BOILERPLATE_LINES = frozenset(
    {
        "recommended", "advertisement", "advertisements", "sponsored", "sponsored content",
        "read more", "related", "related articles", "related stories", "share", "share this",
        "share this article", "continue reading", "story continues below advertisement",
        "skip advertisement", "supported by", "subscribe", "sign up", "newsletter",
        "most popular", "trending", "watch", "listen", "more from", "you may also like",
        "click here", "follow us", "comments",
    }
)
#: Largest article accepted, in bytes of the file (a 5 MB file is rejected with a clear message).
MAX_ARTICLE_BYTES = 2_000_000
#: Below this share of printable characters a file is treated as binary.
MIN_PRINTABLE_RATIO = 0.95
#: A .txt/.md file with at least this many HTML tags, making up more than this share of the
#: characters, is a web page saved as text: its article text is extracted as for .html.
HTML_IN_TEXT_MIN_TAGS = 10
HTML_IN_TEXT_MARKUP_SHARE = 0.2
