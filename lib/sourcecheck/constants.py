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

# ----------------------------------------------------------------------------- review
#: Verdicts a reviewer can record, in the order the review panel offers them.
#: Keys are stored in the verdict database; labels are what people read (panel,
#: report, ``reviewRating.alternateName`` in claimreview.jsonld).
VERDICT_LABELS = {
    "verified": "Verified",
    "disputed": "Disputed",
    "unverified": "Unverified",
    "misattributed": "Misattributed",
    "false": "False",
    "needs_follow_up": "Needs follow-up",
}
VERDICTS = tuple(VERDICT_LABELS)
#: Relations (from crosscheck) shown as evidence *for* a claim in the review panel.
REVIEW_EVIDENCE_FOR = frozenset({"supports", "corroborates_in_part"})
#: Relations shown as evidence *against* a claim; all others are shown as context.
REVIEW_EVIDENCE_AGAINST = frozenset(
    {"contradicts", "denies", "disputes", "not_confirmed", "unverified", "numeric_mismatch", "misquoted", "misattributed"}
)
#: Seconds a write waits for another kernel holding the verdict database lock.
REVIEW_BUSY_TIMEOUT_S = 30.0
#: Default verdict database, relative to the project folder (the nearest folder holding ``outputs/``).
REVIEW_DEFAULT_DB = "outputs/verdicts.sqlite"
#: Characters of article text shown either side of a claim when its sentence is unknown.
REVIEW_CONTEXT_CHARS = 240

# ----------------------------------------------------------------------------- attribution
# Read by sourcecheck.attribution (and scripts/train_attribution.py, which trains the
# cue and role taggers on PolNeAR train). The lists are *features and labels*, not the
# only cues found: the cue tagger also learns cues outside them from the training data.
#: Verbs (lemmas) of saying and reporting; a feature of the cue tagger.
REPORTING_VERBS = frozenset(
    """
    say tell add write note report announce state claim argue explain insist declare
    suggest warn reply respond ask answer acknowledge admit confirm deny tweet post
    describe call accuse criticize praise blame urge promise pledge vow predict
    recall comment remark concede contend assert maintain testify allege indicate
    reveal disclose mention observe point stress emphasize caution complain charge
    propose recommend demand question dismiss reject defend endorse support oppose
    conclude estimate find show cite quote continue agree disagree counter retort
    joke muse boast brag lament concede reiterate signal hint tout
    """.split()
)
#: Cue lemmas that mark a belief or intention rather than a statement (Attribution.kind = "belief").
BELIEF_CUES = frozenset(
    """
    think believe fear want hope expect plan worry feel know wish intend doubt
    suspect assume seem appear consider view see hold trust envision imagine
    anticipate aim seek mean decide prefer like love hate need try refuse
    """.split()
)
#: Head lemmas of a source that is a document, poll or report (Attribution.kind = "document").
DOCUMENT_SOURCES = frozenset(
    """
    poll survey report study statement filing document letter memo memorandum data
    analysis lawsuit complaint suit ruling order bill law article book website
    release email e-mail tweet post ad advertisement video transcript record records
    audit review investigation indictment affidavit brief motion opinion editorial
    column footage census figure figures numbers research paper plan platform
    """.split()
)
#: Quotation marks. Curly ones have a direction; straight ``"`` and the two-apostrophe
#: ``''`` (NYT style) get it from the characters around them.
QUOTE_OPENERS = "“«„"
QUOTE_CLOSERS = "”»"
#: Largest window (tokens) the role tagger looks at around one cue.
ATTRIBUTION_WINDOW_TOKENS = 220
#: Cue tagger: least marginal probability of a predicted cue token to keep the attribution.
CUE_MIN_PROBABILITY = 0.0
