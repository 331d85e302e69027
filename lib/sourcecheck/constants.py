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
#: Language check: a text where at least this share of words are English function words is taken
#: as English without loading the language identifier (PolNeAR dev articles: 0.22-0.45; German,
#: French or Spanish prose stays under 0.1). Anything else goes to py3langid.
ENGLISH_FUNCTION_WORDS = frozenset(
    "the of and to in a that is was for on with he said it as at by from his have has be are not this"
    " but they who had will were their an its would been which".split()
)
ENGLISH_FUNCTION_WORD_SHARE = 0.2

# ----------------------------------------------------------------------------- fetching (sourcecheck.fetch)
#: Seconds to wait for a connection, and for each piece of the page while it arrives.
FETCH_TIMEOUT_S = 20.0
#: Seconds a whole page may take to arrive (a server dripping bytes is cut off here).
FETCH_TOTAL_TIMEOUT_S = 60.0
#: Largest page accepted, in bytes as received (after gzip/br decoding): news pages with their
#: inline scripts run to 1-3 MB; anything above this is not an article page.
FETCH_MAX_BYTES = 10_000_000
#: Tries for one page when the server answers 429 (too many requests) or 5xx (server error).
FETCH_ATTEMPTS = 3
#: Seconds before the first retry, doubled for each further one; a ``Retry-After`` header wins,
#: up to ``FETCH_RETRY_AFTER_MAX_S``.
FETCH_BACKOFF_S = 1.0
FETCH_RETRY_AFTER_MAX_S = 30.0
#: Redirects followed before giving up (each one is recorded in source.json).
FETCH_MAX_REDIRECTS = 10
#: Content types taken as web pages; anything else (PDF, images) is refused with its type named.
FETCH_HTML_TYPES = ("text/html", "application/xhtml+xml")
#: Batch runs: seconds between two fetches from the same host (one at a time per host), and
#: how many hosts are fetched from at once.
FETCH_HOST_DELAY_S = 1.0
FETCH_MAX_HOSTS = 4
#: A fetched page whose extracted text has fewer words than this is not an article (an index
#: page, a consent wall, a page built by JavaScript); the fixture article has about 170.
FETCH_MIN_WORDS = 40
#: A short page (under ``FETCH_CONSENT_MAX_WORDS`` words) using at least ``FETCH_CONSENT_MIN_HITS``
#: of these phrases (lowercase) is a cookie or consent wall, not the article.
FETCH_CONSENT_PHRASES = (
    "cookie", "consent", "your privacy", "our partners", "accept all", "reject all",
    "manage options", "manage preferences", "personalised ads", "personalized ads", "before you continue",
)
FETCH_CONSENT_MAX_WORDS = 300
FETCH_CONSENT_MIN_HITS = 2

# ----------------------------------------------------------------------------- batch (sourcecheck.batch)
#: Environment set to "1" in batch worker processes (and so in their kernels): workers already
#: share the cores, so each uses one BLAS/OpenMP thread instead of oversubscribing them.
BATCH_SINGLE_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                           "SOURCECHECK_ENCODER_THREADS")
#: Set to "1" in batch workers (and so their kernels), which run one article per kernel: the
#: pipeline then frees the extraction models (span tagger, CRFs) before the cross-check loads
#: its models, and the cross-check frees the sentence encoder once it has embedded the article,
#: before the cross-encoder loads (dev's third-longest article: 564 -> 476 MB at the end of the
#: cross-check).
RELEASE_MODELS_ENV = "SOURCECHECK_RELEASE_MODELS"
#: Seconds to wait for a Dask scheduler (``--dask ADDRESS``) before giving up with a clear message.
BATCH_DASK_CONNECT_TIMEOUT_S = 20

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
#: At most this many following quoted sentences (with no cue of their own) join a quote's content.
ATTRIBUTION_FOLLOW_SENTENCES = 6
#: Verbs (lemmas) that are a cue whenever they have a subject and a clausal complement
#: (a parse rule added to the cue tagger's finds).
CUE_RULE_VERBS = frozenset(
    """
    say tell add write note report announce state claim argue explain insist declare suggest
    warn acknowledge admit confirm deny believe think fear want hope expect worry predict
    promise vow pledge
    """.split()
)
#: Raising verbs: their subject is part of what is said ("X seems unlikely to..."), not a source.
RAISING_CUES = frozenset(("seem", "appear"))
#: Words of a line label that is the publication's, not a speaker's ("Editor's note:",
#: "Correction:", "Update:"); lemmas, lowercase.
EDITORIAL_LABELS = frozenset(("note", "correction", "clarification", "update", "editor", "spoiler", "stat", "related"))
#: Verbs of asking whose bare participle ("Asked about it, she said...") names no asker.
ASKING_CUES = frozenset(("ask", "press", "question"))
#: A verb with a subject and an object or clause that the cue tagger labels "not a cue" is
#: still a cue when the tagger gives it at least this probability (chosen on held-out *train*).
CUE_RECALL_PROBABILITY = 0.4
#: Cue tagger: least marginal probability of a token's (Viterbi) cue label to keep it in the cue.
#: Higher trades attributions found for precision (chosen on held-out *train* articles).
CUE_THRESHOLD = 0.3
#: Tokens the cue tagger labels "not a cue" but gives at least this probability still become
#: candidates; the ranker decides (chosen on held-out *train*).
CUE_CANDIDATE_FLOOR = 0.1
#: Least ranker probability an attribution needs to be kept (chosen on held-out *train*).
ATTRIBUTION_THRESHOLD = 0.4
#: A cue the cue tagger itself is this sure of is kept whatever the ranker says.
CUE_TRUSTED_PROBABILITY = 0.7

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
#: Characters after one piece of a quote with an ellipsis within which the next piece must be found.
QUOTE_ELLIPSIS_MAX_GAP = 6000
#: Reported speech: a document sentence is shown as context only if it shares at least this many of the
#: claim's content words (fewer for short claims: a third of them, at least one).
CONTEXT_MIN_SHARED = 2
#: A quote shorter than this (in words) found only in another speaker's document is reported
#: ("other speaker") but not flagged: "root causes" is evidence of nothing.
QUOTE_MIN_MISATTRIBUTION_TOKENS = 5
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
        "second", "third", "once", "twice", "all", "every", "most", "more", "less", "fewer", "few", "many", "some",
        "several",
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
#: Flag severities for quote problems, on the crosscheck scale (FLAG_SEVERITY: contradicts 6 ... shifts 3).
SEVERITY_MISQUOTE_ALWAYS_MATERIAL = 5  # changed negation, number, name or modal verb
SEVERITY_MISQUOTE_MATERIAL = 4  # other changed content words
SEVERITY_MISATTRIBUTED = 4  # "possible": the other document may itself quote the speaker

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
    (r"last week|(?:the )?previous week", "last_week", "week", "the week before the publication week"),
    (r"next week", "next_week", "week", "the week after the publication week"),
    (r"(?:in )?(?:recent|the past few|the last few|the past several|the last several) days|over the (?:past|last) (?:few|several) days|(?:over |in |during )?(?:the )?past week|(?:over |in |during )?the last week", "recent_days", "range", "the 7 days up to publication (vague)"),
    (r"recently|lately|in recent weeks", "recent_weeks", "range", "the 30 days up to publication (vague)"),
    (r"earlier (?:this|in the) month", "month_start_to_yesterday", "range", "first of the publication month to the day before publication"),
    (r"this month", "this_month", "month", "the publication month"),
    (r"last month", "last_month", "month", "the month before the publication month"),
    (r"earlier this year", "year_start_to_yesterday", "range", "1 January of the publication year to the day before publication"),
    (r"this year", "this_year", "year", "the publication year"),
    (r"last year", "last_year", "year", "the year before the publication year"),
    (r"next year", "next_year", "year", "the year after the publication year"),
    (r"(?:in )?(?:recent|the past few|the last few|the past several|the last several) months", "recent_months", "range", "the 90 days up to publication (vague)"),
    (r"(?:(?:this|last|over the|the past|this past|the) )?weekend", "last_weekend", "range", "the most recent Saturday-Sunday before publication (or the publication weekend)"),
    (r"this past week", "recent_days", "range", "the 7 days up to publication (vague)"),
)
#: Half-width (days) of the range given to "N days/weeks/months ago"; "about"/"some"/"nearly" add APPROX_EXTRA_DAYS.
AGO_MARGIN_DAYS = {"day": 0, "week": 3, "month": 15, "year": 182}
APPROX_EXTRA_DAYS = {"day": 1, "week": 1, "month": 7, "year": 60}

# ----------------------------------------------------------------------------- speakers (sourcecheck.speakers)
#: Pronouns a source span may consist of, by what they can refer to.
PRONOUNS_PERSON_MALE = frozenset({"he", "him", "his", "himself"})
PRONOUNS_PERSON_FEMALE = frozenset({"she", "her", "hers", "herself"})
PRONOUNS_PLURAL = frozenset({"they", "them", "their", "theirs", "themselves"})
PRONOUNS_NEUTER = frozenset({"it", "its", "itself"})
#: First person: inside a quotation they refer to the quoted speaker.
PRONOUNS_FIRST = frozenset({"i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves"})
PRONOUNS_SECOND = frozenset({"you", "your", "yours", "yourself", "yourselves"})
#: Relative pronouns: resolved to the noun the relative clause hangs on.
PRONOUNS_RELATIVE = frozenset({"who", "whom", "whose", "which", "that"})
#: Words that are part of a person's title, not their name (lowercase, dots stripped).
NAME_TITLES = frozenset(
    {
        "mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "rev", "reverend", "sen", "senator",
        "rep", "representative", "gov", "governor", "president", "vice", "pres", "gen", "general", "lt",
        "col", "maj", "capt", "sgt", "adm", "admiral", "judge", "justice", "mayor", "secretary", "minister",
        "prime", "chancellor", "ambassador", "king", "queen", "prince", "princess", "pope", "speaker",
        "chairman", "chairwoman", "chair", "professor", "prof", "sheriff", "commissioner", "attorney",
        "former", "candidate", "nominee", "hon", "jr", "sr", "ii", "iii", "iv", "st",
    }
)
#: Role nouns that name a person by function ("the adviser", "the Kremlin spokesman"), with synonyms mapped
#: to one key so "spokeswoman" can resolve to a person introduced as "spokesperson".
ROLE_NOUNS = {
    "president": "president", "vice-president": "vice president", "leader": "leader", "premier": "prime minister",
    "minister": "minister", "secretary": "secretary", "chancellor": "chancellor", "governor": "governor",
    "senator": "senator", "congressman": "lawmaker", "congresswoman": "lawmaker", "lawmaker": "lawmaker",
    "representative": "lawmaker", "mayor": "mayor", "ambassador": "ambassador", "envoy": "envoy",
    "spokesman": "spokesperson", "spokeswoman": "spokesperson", "spokesperson": "spokesperson",
    "adviser": "adviser", "advisor": "adviser", "aide": "aide", "counselor": "adviser", "strategist": "strategist",
    "chief": "chief", "director": "director", "head": "head", "chairman": "chair", "chairwoman": "chair",
    "chair": "chair", "ceo": "chief executive", "executive": "executive", "founder": "founder",
    "commander": "commander", "general": "general", "admiral": "admiral", "officer": "officer",
    "judge": "judge", "justice": "judge", "prosecutor": "prosecutor", "attorney": "lawyer", "lawyer": "lawyer",
    "candidate": "candidate", "nominee": "nominee", "frontrunner": "candidate", "front-runner": "candidate",
    "billionaire": "billionaire", "businessman": "businessman", "businesswoman": "businessman",
    "manager": "manager", "professor": "professor", "economist": "economist", "analyst": "analyst",
    "pollster": "pollster", "author": "author", "writer": "writer", "reporter": "reporter",
    "journalist": "journalist", "editor": "editor", "host": "host", "anchor": "host", "columnist": "columnist",
    "historian": "historian", "scientist": "scientist", "researcher": "researcher", "expert": "expert",
    "official": "official", "diplomat": "diplomat", "negotiator": "negotiator", "deputy": "deputy",
    "speaker": "speaker", "king": "king", "queen": "queen", "prince": "prince", "pope": "pope",
    "dictator": "leader", "autocrat": "leader", "incumbent": "incumbent",
    "challenger": "challenger", "sheriff": "sheriff", "owner": "owner",
    "son": "son", "daughter": "daughter", "wife": "wife", "husband": "husband", "mother": "mother",
    "father": "father", "spouse": "spouse", "friend": "friend", "activist": "activist", "organizer": "organizer",
    "consultant": "consultant", "operative": "operative", "donor": "donor", "surrogate": "surrogate",
    "secretary-general": "secretary-general", "coordinator": "coordinator", "commissioner": "commissioner",
    "tycoon": "businessman", "magnate": "businessman", "mogul": "businessman", "entrepreneur": "businessman",
    "actress": "actor", "actor": "actor", "celebrity": "celebrity", "star": "star", "singer": "singer",
    "comedian": "comedian", "hopeful": "candidate", "contender": "candidate", "rival": "rival",
    "opponent": "rival", "politician": "politician", "statesman": "politician", "interviewer": "host",
    "moderator": "host", "investor": "investor", "philanthropist": "philanthropist", "developer": "developer",
    "congressman-elect": "lawmaker", "senator-elect": "senator", "president-elect": "president",
    "physician": "doctor", "doctor": "doctor", "surgeon": "doctor", "pastor": "pastor", "bishop": "bishop",
    "cardinal": "cardinal", "rabbi": "rabbi", "imam": "imam", "priest": "priest", "chef": "chef",
    "fact-checker": "fact-checker", "detective": "detective", "agent": "agent", "suspect": "suspect",
    "victim": "victim", "plaintiff": "plaintiff", "defendant": "defendant", "witness": "witness",
}
#: Plural or unnamed-person nouns that make a source an anonymous (unnamed) source or group.
ANONYMOUS_NOUNS = frozenset(
    {
        "official", "officials", "source", "sources", "analyst", "analysts", "expert", "experts", "observer",
        "observers", "people", "person", "residents", "resident", "soldiers", "soldier", "troops", "witnesses",
        "witness", "critics", "critic", "supporters", "supporter", "opponents", "aides", "aide", "advisers",
        "advisors", "diplomats", "diplomat", "lawmakers", "legislators", "leaders", "voters", "voter",
        "americans", "citizens", "activists", "protesters", "members", "insiders", "insider", "staffers",
        "staffer", "employees", "employee", "investigators", "prosecutors", "police", "authorities",
        "military", "commanders", "economists", "scientists", "researchers", "historians", "strategists",
        "operatives", "donors", "delegates", "conservatives", "liberals", "progressives", "republicans",
        "democrats", "independents", "pundits", "commentators", "many", "some", "others", "several",
        "both", "most", "all", "few", "everyone", "someone", "somebody", "nobody", "none", "anyone",
        "spokesman", "spokeswoman", "spokesperson", "representative", "representatives", "negotiators",
        "parents", "students", "workers", "farmers", "veterans", "families", "victims", "allies", "friends",
        "colleagues", "participants", "respondents", "forecasters", "rumors", "doctors", "lawyers",
        "attorneys", "journalists", "reporters", "consultants", "scholars", "fans", "viewers", "readers",
        "users", "protestors", "economists", "officers", "agents", "spokespeople", "advocates",
        "percent", "half", "majority", "minority", "third", "quarter", "plurality", "one", "other", "man",
        "woman", "men", "women", "individual", "individuals", "public", "crowd", "audience",
    }
)
#: Nouns for organisations that speak as a body; "the campaign", "Trump's team" (type organisation;
#: government_body for the GOVERNMENT_ORG_NOUNS).
ORG_NOUNS = frozenset(
    {
        "campaign", "administration", "government", "team", "committee", "party", "office", "ministry",
        "department", "agency", "company", "firm", "group", "organization", "organisation", "council",
        "court", "commission", "board", "union", "coalition", "alliance", "movement", "network", "outlet",
        "newspaper", "paper", "station", "channel", "magazine", "website", "site", "publication", "military",
        "army", "navy", "police", "parliament", "legislature", "senate", "house", "congress", "cabinet",
        "regime", "embassy", "mission", "bureau", "service", "institute", "foundation", "center", "centre",
        "university", "school", "hospital", "bank", "corporation", "pac", "super pac", "staff", "camp",
    }
)
GOVERNMENT_ORG_NOUNS = frozenset(
    {
        "administration", "government", "ministry", "department", "agency", "court", "commission",
        "military", "army", "navy", "police", "parliament", "legislature", "senate", "house", "congress",
        "cabinet", "regime", "embassy", "bureau", "kremlin",
    }
)
#: Nouns that make the source a document (speaker type "document").
DOCUMENT_NOUNS = frozenset(
    {
        "statement", "report", "reports", "poll", "polls", "survey", "surveys", "study", "studies", "filing",
        "filings", "memo", "memorandum", "letter", "document", "documents", "complaint", "lawsuit", "suit",
        "indictment", "analysis", "data", "record", "records", "transcript", "release", "assessment", "tally",
        "estimate", "estimates", "ruling", "decision", "order", "opinion", "brief", "audit",
        "review", "investigation", "bill", "resolution", "platform", "plan", "proposal", "agreement",
        "communique", "communiqué", "readout", "affidavit", "testimony", "email", "emails", "cable", "dossier",
        "footage", "video", "ad", "advertisement", "commercial", "article", "story", "book", "op-ed", "editorial",
        "post", "tweet", "tweets", "posts", "message", "messages", "note", "paper", "guidance", "notice",
        "summary", "findings", "census", "budget", "forecast", "projection", "projections", "website",
        "results", "result", "numbers", "count", "headline", "headlines", "ads", "polling", "research",
    }
)
#: Channel nouns ("in a post on Truth Social", "in a speech") and the channel kind they give.
CHANNEL_NOUNS = {
    "post": "social_post", "posting": "social_post", "tweet": "social_post", "tweets": "social_post",
    "retweet": "social_post", "video": "social_post", "livestream": "social_post", "message": "social_post",
    "statement": "statement", "release": "statement", "communique": "statement", "communiqué": "statement",
    "readout": "statement", "declaration": "statement", "comment": "statement", "comments": "statement",
    "remark": "speech", "words": "statement",
    "speech": "speech", "address": "speech", "remarks": "speech", "rally": "speech", "sermon": "speech",
    "lecture": "speech", "debate": "speech", "hearing": "speech", "testimony": "speech",
    "interview": "interview", "conversation": "interview", "podcast": "media_appearance",
    "appearance": "media_appearance", "broadcast": "media_appearance", "show": "media_appearance",
    "program": "media_appearance", "programme": "media_appearance", "television": "media_appearance",
    "tv": "media_appearance", "radio": "media_appearance", "media": "media_appearance",
    "report": "news_report", "article": "news_report", "story": "news_report", "dispatch": "news_report",
    "briefing": "press_conference", "conference": "press_conference", "press": "press_conference",
    "letter": "document", "memo": "document", "filing": "document", "document": "document",
    "email": "document", "op-ed": "document", "essay": "document", "book": "document", "column": "document",
    "editorial": "document", "transcript": "document", "court": "document",
}
#: Cue verbs that name their own channel ("tweeted").
CUE_CHANNELS = {"tweet": ("social_post", "X"), "retweet": ("social_post", "X"), "post": ("social_post", None),
                "blog": ("social_post", None), "testify": ("speech", None), "broadcast": ("media_appearance", None)}
#: How far back (sentences) a pronoun or role noun looks for its antecedent.
ANTECEDENT_WINDOW_SENTENCES = 6
#: Paragraph-initial pronouns look back this many more sentences.
NOMINAL_WINDOW_SENTENCES = 40

# ----------------------------------------------------------------------------- claims (sourcecheck.claims)
#: Words that mark a sentence as opinion, not a checkable assertion of the reporter.
OPINION_MARKERS = frozenset(
    {
        "should", "ought", "must", "arguably", "perhaps", "maybe", "hopefully", "unfortunately",
        "fortunately", "clearly", "obviously", "surely", "i", "we", "you", "me", "my", "our", "us", "your",
        "think", "believe", "feel", "opinion", "seems", "seem", "apparently", "shame", "disgrace",
    }
)
#: Phrases that mark web or wire boilerplate (lowercase substrings).
BOILERPLATE_PHRASES = (
    "contributed to this report", "contributed reporting", "all rights reserved", "copyright", "©",
    "click here", "sign up", "subscribe", "follow us", "follow him on", "follow her on", "newsletter",
    "this story has been updated", "this article was updated", "read more", "related:", "email us",
    "write to ", "is a reporter", "is a correspondent", "is an editor", "photo:", "image:", "getty images",
)
#: A sentence needs at least this many words to be an unattributed assertion.
MIN_ASSERTION_WORDS = 6
#: Entity labels that make a sentence checkable (events, numbers, named actors).
CHECKABLE_ENTITY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "NORP", "EVENT", "LAW", "FAC", "LOC", "DATE", "TIME", "PERCENT", "MONEY",
     "QUANTITY", "CARDINAL"}
)
#: Share of a sentence's characters inside quotation marks above which it is a bare quote, not an assertion.
MAX_QUOTED_SHARE = 0.5

# ----------------------------------------------------------------------------- crosscheck
# Cross-source checking (sourcecheck.crosscheck): every claim is compared with every passage by the
# encoder's sentence embeddings; broad candidates (below) go to a learned judge trained on the PolNeAR
# train conflict set (data/conflicts_train.jsonl); its decision threshold is chosen by cross-validation
# there and stored with the model (data/crosscheck_judge.json), never here.
#: Sentences of at least this many words are also split into clauses (at ;, dashes, ", but", ": “").
CROSSCHECK_CLAUSE_WORDS = 30
#: Candidates per claim: the K passages most similar to it ...
CROSSCHECK_TOP_K = 10
#: ... plus every passage within this many sentences that has a conflict cue or points back.
CROSSCHECK_CUE_WINDOW = 12
#: A contested claim's partial corroboration: another source's cue-free sentence at least this similar
#: (embedding cosine). Display only: it raises no flag, so it is not scored or tuned.
CROSSCHECK_CORROBORATION_SIM = 0.5
#: Relations that raise a flag, with their severity (higher = more serious; the flags table sorts on it).
FLAG_SEVERITY = {
    "contradicts": 6,
    "denies": 5,
    "numeric_mismatch": 5,
    "disputes": 4,
    "not_confirmed": 4,
    "unverified": 3,
    "shifts": 3,
    "misquoted": 5,
    "misattributed": 5,
}
#: Title abbreviations spelled out when a title becomes a role ("Sen. Ted Cruz" -> role "senator").
TITLE_ROLES = {
    "sen": "senator", "rep": "representative", "gov": "governor", "gen": "general", "adm": "admiral",
    "col": "colonel", "lt": "lieutenant", "maj": "major", "capt": "captain", "sgt": "sergeant",
    "pres": "president", "prof": "professor", "rev": "reverend", "dr": None, "mr": None, "mrs": None,
    "ms": None, "miss": None, "sir": None, "dame": None, "hon": None, "former": "former", "st": None,
}
#: Common first names with a usual gender, so "she said" does not go to "Bernie Sanders". A person's
#: gender from a title ("Mrs.", "spokeswoman") wins over this list; names not listed stay unknown.
FEMALE_FIRST_NAMES = frozenset(
    """hillary nancy elizabeth sarah susan mary patricia jennifer linda barbara margaret lisa karen betty
    helen sandra donna carol ruth sharon michelle laura kimberly deborah jessica shirley cynthia angela
    melissa brenda amy anna rebecca virginia kathleen pamela martha debra amanda stephanie carolyn christine
    marie janet catherine frances ann joyce diane alice julie heather teresa doris gloria evelyn jean cheryl
    mildred katherine joan ashley judith rose janice kelly nicole judy christina kathy theresa beverly
    denise tammy irene jane lori rachel marilyn andrea kathryn louise sara anne jacqueline wanda bonnie julia
    ruby lois tina phyllis norma paula diana annie lillian emily robin peggy crystal gladys rita dawn connie
    florence tracy edna tiffany carmen rosa cindy grace wendy victoria edith kim sherry sylvia josephine
    thelma shannon sheila ethel ellen elaine marjorie carrie charlotte monica esther pauline emma juanita
    anita rhonda hazel amber eva debbie april leslie clara lucille jamie joanne eleanor valerie danielle
    megan alicia suzanne michele gail bertha darlene veronica jill erin geraldine lauren cathy joann lorraine
    lynn sally regina erica beatrice dolores bernice audrey yvonne annette june samantha marion dana
    stacy ana renee ida vivian roberta holly brittany melanie loretta yolanda jeanette laurie katie kristen
    vanessa alma sue elsie beth jeanne vicki carla tara rosemary eileen terri gertrude lucy tonya ella
    stacey wilma gina kristin jessie natalie agnes vera willie charlene bessie delores melinda pearl
    arlene maureen colleen allison tamara joy georgia constance lillie claudia jackie marcia tanya nellie
    minnie marlene heidi glenda lydia viola courtney marian stella caroline dora jo vickie mattie terry
    maxine irma mabel marsha myrtle lena christy deanna patsy hilda gwendolyn jennie nora margie nina
    cassandra leah penny kay priscilla naomi carole brandy olga billie dianne tracey leona jenny felicia
    sonia miriam velma becky bobbie violet kristina toni misty mae shelly daisy ramona sherri erika katrina
    claire kamala nikki condoleezza madeleine kellyanne sanders-huckabee ivanka melania chelsea huma
    elise ilhan alexandria marjorie kyrsten tulsi liz kirsten dianne marsha joni lindsey greta megyn
    oprah beyonce taylor meryl angelina ursula theresa marine giorgia angela jacinda golda benazir indira
    yulia maria ilana olena natalia svetlana irina tatiana""".split()
)
MALE_FIRST_NAMES = frozenset(
    """donald bernie bernard ted marco jeb john james robert michael william david richard joseph thomas
    charles christopher daniel matthew anthony mark paul steven steve andrew kenneth joshua kevin brian
    george edward ronald timothy jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin
    scott brandon benjamin samuel gregory frank alexander raymond patrick jack dennis jerry tyler aaron
    jose adam henry nathan douglas zachary peter kyle walter ethan jeremy harold keith christian roger noah
    gerald carl terry sean austin arthur lawrence jesse dylan bryan joe jordan billy bruce albert willie
    gabriel logan alan juan wayne roy ralph randy eugene vincent russell elijah louis bobby philip johnny
    barack joe mike mitch chuck newt rand rudy ben chris rick bill al dick colin rex jim tim tom bob dan
    vladimir volodymyr dmitry sergei sergey yuri viktor alexei alexey boris emmanuel olaf keir rishi xi
    recep benjamin bibi mohammed muhammad ali hassan abdel kim narendra jair luis andres felipe enrique
    justin jens antony lloyd jake marco mohammad hunter beau eric barron kellogg pete rahm reince sean
    stephen corey paul jared kevin lindsey elon jeff warren steve""".split()
) - FEMALE_FIRST_NAMES
#: Verbs of belief and intention: "Trump wants ...", "officials fear ..." report a state of mind (PolNeAR
#: counts them as attributions), not a checkable assertion of the reporter.
ATTITUDE_VERBS = frozenset("think believe fear want hope expect plan worry wish intend doubt suspect".split())
