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

# ----------------------------------------------------------------------------- documents / quotes (quote fidelity)
#: Largest primary document accepted, in bytes (a 100-page document is about 0.3 MB).
MAX_DOCUMENT_BYTES = 10_000_000
#: File types read as primary documents; anything else in the folder is skipped with a warning.
DOCUMENT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json")
#: Files in a documents folder that are never documents (compared lower-case, without suffix).
DOCUMENT_IGNORED_STEMS = frozenset({"readme", "license", "index"})
#: A quote counts as found when rapidfuzz's partial_ratio of the quote against the passage reaches this (0-100)
#: and at least QUOTE_MIN_TOKEN_SHARE of the quote's words occur in the passage.
QUOTE_FOUND_MIN_SCORE = 72.0
QUOTE_MIN_TOKEN_SHARE = 0.5
#: Quotes with fewer words than this are searched for as exact word sequences only (a one-word
#: scare quote such as "breather" fuzzy-matches almost anything).
QUOTE_MIN_FUZZY_TOKENS = 3
#: Candidate windows handed to rapidfuzz per quote and document (found by word-position voting).
QUOTE_MAX_CANDIDATES = 8
#: Words occurring more often than this in one document do not vote for candidate windows (like "the").
QUOTE_MAX_POSTINGS = 400
#: A quote found in the claimed speaker's documents with a score this far below another speaker's
#: document is reported as found in the other speaker's document (possible misattribution).
QUOTE_OTHER_SPEAKER_MARGIN = 8.0
#: Speaker names match document speakers when rapidfuzz token_set_ratio reaches this, or a surname matches.
SPEAKER_MATCH_MIN_SCORE = 90.0
#: Titles stripped before speaker names are compared.
SPEAKER_TITLES = frozenset(
    {
        "president", "vice", "prime", "minister", "secretary", "spokesman", "spokeswoman", "spokesperson",
        "adviser", "advisor", "senator", "sen", "rep", "representative", "gov", "governor", "mr", "mrs",
        "ms", "dr", "the", "of", "russian", "ukrainian", "u.s.", "us", "kremlin", "white", "house",
        "chancellor", "general", "gen", "ambassador", "envoy", "foreign", "defense", "defence",
    }
)
#: Changed, dropped or added words of these kinds always make a quote change material.
NEGATION_WORDS = frozenset(
    {"not", "no", "never", "nor", "neither", "none", "nobody", "nothing", "nowhere", "cannot", "without", "n't"}
)
MODAL_WORDS = frozenset(
    {"can", "could", "may", "might", "must", "shall", "should", "will", "would", "ought", "need", "needs", "won't", "can't"}
)
NUMBER_WORDS = frozenset(
    {
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty",
        "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "hundreds", "thousand", "thousands",
        "million", "millions", "billion", "billions", "trillion", "dozen", "dozens", "half", "percent", "first",
        "second", "third", "once", "twice", "all", "every", "most", "few", "many", "some", "several",
    }
)
#: Function words: a change touching only these (and punctuation) is a wording change, not a material one.
FUNCTION_WORDS = frozenset(
    {
        "a", "an", "the", "and", "or", "but", "that", "this", "these", "those", "of", "to", "in", "on", "at", "by",
        "for", "with", "from", "as", "is", "are", "was", "were", "be", "been", "being", "it", "its", "so", "then",
        "very", "just", "really", "also", "well", "oh", "uh", "um", "which", "who", "whom",
        "i", "we", "you", "he", "she", "they", "me", "us", "him", "her", "them", "our", "your", "his", "their",
    }
)
#: Flag severities (higher = more serious) for quote problems.
SEVERITY_MISQUOTE_ALWAYS_MATERIAL = 3  # changed negation, number, name or modal verb
SEVERITY_MISQUOTE_MATERIAL = 2  # other changed content words
SEVERITY_MISATTRIBUTED = 2

# ----------------------------------------------------------------------------- timeline
#: Vague relative time spans resolved to date ranges. Offsets are in days relative to the publication
#: date P; "week" means Monday-Sunday (ISO) and "month" the calendar month containing P. Each entry:
#: pattern (regex, case-insensitive, matched against the whole expression) -> (rule, granularity, note).
#: Rules are implemented in ``sourcecheck.timeline._RULES``; this table is the documented source.
VAGUE_TIME_RULES = (
    (r"(?:earlier )?today|this (?:morning|afternoon|evening)|tonight", "today", "day", ""),
    (r"(?:late |early )?yesterday(?: (?:morning|afternoon|evening))?|last night", "yesterday", "day", ""),
    (r"tomorrow", "tomorrow", "day", ""),
    (r"earlier (?:this|in the) week", "week_start_to_yesterday", "range", "Monday of the publication week to the day before publication"),
    (r"(?:later )?this week", "this_week", "week", "the publication week (Monday-Sunday)"),
    (r"last week|the previous week|the past week", "last_week", "week", "the week before the publication week"),
    (r"next week", "next_week", "week", "the week after the publication week"),
    (r"(?:in )?(?:recent|the past few|the last few|the past several|the last several) days|over the (?:past|last) (?:few|several) days", "recent_days", "range", "the 7 days up to publication (vague)"),
    (r"recently|lately|in recent weeks", "recent_weeks", "range", "the 30 days up to publication (vague)"),
    (r"earlier (?:this|in the) month", "month_start_to_yesterday", "range", "first of the publication month to the day before publication"),
    (r"this month", "this_month", "month", "the publication month"),
    (r"last month", "last_month", "month", "the month before the publication month"),
    (r"earlier this year", "year_start_to_yesterday", "range", "1 January of the publication year to the day before publication"),
    (r"this year", "this_year", "year", "the publication year"),
    (r"last year", "last_year", "year", "the year before the publication year"),
)
#: Half-width (days) of the range given to "N days/weeks/months ago"; "about"/"some"/"nearly" add APPROX_EXTRA_DAYS.
