"""Bad input (issue #7): each case gives a clear message naming the file and the problem, and disturbs nothing else.

Loader cases are fast (no spaCy). Cases that load fine but are hard for the
extractor (no quotes, unbalanced quotes, a 2,000-word sentence, HTML full of
scripts) run the whole pipeline without a notebook and check its invariants.
"""
from __future__ import annotations

import time
import warnings
from pathlib import Path

import pytest

from sourcecheck import constants
from sourcecheck.article import ArticleWarning, load_article
from sourcecheck.errors import ArticleError

ENGLISH = (
    "The mayor said on Monday that the bridge would open next week. "
    "“We are ready,” a city spokesman told reporters, adding that inspections had finished. "
    "Opposition councillors disputed that account, according to a statement.\n"
)
SCRIPTY_HTML = """<!DOCTYPE html><html><head><title>Bridge to open</title>
<script>document.write('<iframe src=https://ads.example/>')</script>
<script src="https://cdn.example/tracker.js"></script><style>p{color:red}</style></head>
<body><iframe src="https://ads.example/banner"></iframe><nav>Home | World | Sport</nav>
<article><h1>Bridge to open</h1>
<p>The mayor said on Monday that the bridge would open next week, according to a statement from the city.</p>
<p>"We are ready," a city spokesman told reporters, adding that inspections had finished last month.</p>
<script>window.alert("injected")</script>
<p>Opposition councillors disputed that account and said more safety checks were needed before it opened.</p>
</article><iframe srcdoc="<script>alert(2)</script>"></iframe>
<footer>Subscribe · Share this article</footer><script>track()</script></body></html>
"""


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return p


def load_quiet(path, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        article = load_article(path, **kw)
    return article, [str(w.message) for w in caught if issubclass(w.category, ArticleWarning)]


# --------------------------------------------------------------------------- rejected, with a clear message
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256))
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256))


@pytest.mark.parametrize(
    "name, data, problem",
    [
        ("empty.txt", b"", "is empty"),
        ("spaces.txt", b"   \n\t\n  \r\n", "contains only whitespace"),
        ("nbsp.txt", "\u00a0\u2003\n\u3000".encode("utf-8"), "contains only whitespace"),
        ("scan.txt", PDF, "is a PDF document"),
        ("photo.txt", PNG, "is a PNG image"),
        ("photo2.txt", JPEG, "is a JPEG image"),
        ("report.txt", b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "ZIP archive"),
        ("nul.txt", b"some text\x00\x00\x01\x02 more", "binary file"),
        ("noise.txt", bytes(range(1, 32)) * 40, "binary file"),
        ("article.docx", ENGLISH, "unsupported file type"),
        ("noext", ENGLISH, "unsupported file type"),
        ("broken.json", '{"text": "unterminated', "is not valid JSON"),
        ("notext.json", '{"title": "no text field"}', '"text" string field'),
        ("only-scripts.html", "<html><head><script>alert(1)</script></head><body><script>x()</script></body></html>", "no article text found"),
        ("leftovers.txt", "Recommended\nAdvertisement\n\nShare this article\n", "no article text left"),
    ],
)
def test_rejected_with_file_and_problem(tmp_path, name, data, problem):
    path = write(tmp_path, name, data)
    with pytest.raises(ArticleError) as info:
        load_article(path)
    msg = str(info.value)
    assert msg.startswith(str(path)), msg
    assert problem in msg, msg
    assert len(msg.splitlines()) == 1


def test_missing_file(tmp_path):
    with pytest.raises(ArticleError, match=r"missing\.txt: file not found"):
        load_article(tmp_path / "missing.txt")


def test_folder_instead_of_file(tmp_path):
    (tmp_path / "empty folder.txt").mkdir()
    with pytest.raises(ArticleError, match="is a folder, not an article file"):
        load_article(tmp_path / "empty folder.txt")


def test_five_megabyte_article_is_rejected_quickly(tmp_path):
    path = tmp_path / "huge.txt"
    sentence = "The senator said the vote was close, according to aides. "
    path.write_text(sentence * (5_000_000 // len(sentence) + 1), encoding="utf-8")
    assert path.stat().st_size > 5_000_000
    started = time.perf_counter()
    with pytest.raises(ArticleError) as info:
        load_article(path)
    assert time.perf_counter() - started < 1.0  # rejected from its size, not after reading and parsing it
    msg = str(info.value)
    assert "huge.txt: file is too large (5.0 MB; the limit is" in msg and "split it into single articles" in msg
    assert constants.MAX_ARTICLE_BYTES < 5_000_000


# --------------------------------------------------------------------------- loaded, with a warning naming the file
def test_cp1252_decoded_with_warning(tmp_path):
    path = write(tmp_path, "cp.txt", "\u201cCaf\u00e9 au lait,\u201d the mayor said \u2014 twice.\n".encode("cp1252"))
    article, warns = load_quiet(path)
    assert article.text == "\u201cCaf\u00e9 au lait,\u201d the mayor said \u2014 twice."
    assert any(str(path) in w and "cp1252" in w for w in warns)
    assert article.warnings == warns


def test_latin1_undefined_in_cp1252_decoded_with_warning(tmp_path):
    path = write(tmp_path, "l1.txt", b"Stra\xdfe \x81 said the mayor, \xe0 Paris.\n")  # 0x81 is undefined in cp1252
    article, warns = load_quiet(path)
    assert article.text.startswith("Straße") and "à Paris" in article.text
    assert any(str(path) in w and "Latin-1" in w for w in warns)


def test_utf16_with_bom_decoded_with_warning(tmp_path):
    path = write(tmp_path, "u16.txt", ENGLISH.encode("utf-16"))
    article, warns = load_quiet(path)
    assert article.text == ENGLISH.strip()
    assert any("UTF-16" in w for w in warns)


def test_non_english_warns(tmp_path):
    german = (
        "Der Bürgermeister sagte am Montag, die Brücke werde nächste Woche eröffnet. "
        "„Wir sind bereit“, sagte ein Sprecher der Stadt den Reportern und fügte hinzu, "
        "die Prüfungen seien abgeschlossen. Die Opposition widersprach dieser Darstellung.\n"
    )
    path = write(tmp_path, "de.txt", german)
    article, warns = load_quiet(path)
    assert article.text == german.strip()
    assert any(str(path) in w and "not English" in w for w in warns)
    _, none = load_quiet(write(tmp_path, "en.txt", ENGLISH))
    assert none == []


def test_html_full_of_scripts_and_iframes(tmp_path):
    for name in ("page.html", "page-saved-as.txt"):
        article, warns = load_quiet(write(tmp_path, name, SCRIPTY_HTML))
        assert "The mayor said on Monday" in article.text and "more safety checks" in article.text
        for bad in ("<script", "alert", "iframe", "track()", "tracker.js", "document.write"):
            assert bad not in article.text
        assert article.source_format == "html"
        if name.endswith(".txt"):
            assert any("looks like an HTML page" in w for w in warns)


def test_text_mentioning_tags_is_not_mistaken_for_html(tmp_path):
    text = "The hacker typed <script>alert(1)</script> into the form, police said.\nIt did nothing, they added.\n"
    article, warns = load_quiet(write(tmp_path, "story.txt", text))
    assert article.text == text.strip()  # kept verbatim; the report escapes it
    assert not any("HTML" in w for w in warns)


def test_paths_with_spaces_and_non_ascii(tmp_path):
    path = write(tmp_path, "Новости 2016/Zürich – the mayor’s “plan”.txt", ENGLISH)
    article, _ = load_quiet(path)
    assert article.path == str(path)
    assert article.slug == "zurich-the-mayors-plan"
    assert load_quiet(write(tmp_path, "статья.txt", ENGLISH))[0].slug == "article"  # nothing ASCII left


# --------------------------------------------------------------------------- hard for the extractor
def _analyze(path):
    from sourcecheck.pipeline import analyze

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ArticleWarning)
        return analyze(path)  # validate() inside checks every span against the text


def _spans_ok(analysis):
    text = analysis.article.text
    for a in analysis.attributions:
        for s in a.source + a.cue + a.content:
            assert text[s.start:s.end] == s.text
    for c in analysis.claims:
        for s in c.spans:
            assert text[s.start:s.end] == s.text


def test_article_with_no_quotes(tmp_path):
    text = (
        "The city council met on Tuesday to discuss the budget.\n"
        "Several members argued that spending on roads should rise, while the finance director warned of a deficit.\n"
        "The meeting ended without a vote.\n"
    )
    analysis = _analyze(write(tmp_path, "no quotes.txt", text))
    _spans_ok(analysis)
    assert all(a.quote_type != "direct" for a in analysis.attributions)


@pytest.mark.parametrize(
    "text",
    [
        "“We will win this,” the senator said. “And then we will\nThe campaign declined to comment.\n",
        "The senator said \"we will win. Aides disagreed.\nHe added: ''the polls are wrong.\n",
        "He said ” backwards “ quotes are “ odd ” and ’single’ too.\n",
        "“““”””\n“\n”\n",
    ],
)
def test_unbalanced_quotation_marks(tmp_path, text):
    _spans_ok(_analyze(write(tmp_path, "unbalanced.txt", text)))


def test_two_thousand_word_sentence(tmp_path):
    clause = "the minister said that the committee, which had met on Monday, would review the plan and"
    words = []
    while len(words) < 2000:
        words.extend(clause.split())
    text = "According to officials, " + " ".join(words[:2000]) + " then adjourn.\n"
    started = time.perf_counter()
    analysis = _analyze(write(tmp_path, "long sentence.txt", text))
    assert time.perf_counter() - started < 60
    _spans_ok(analysis)


def test_scripty_html_through_the_pipeline(tmp_path):
    analysis = _analyze(write(tmp_path, "page.html", SCRIPTY_HTML))
    _spans_ok(analysis)
    assert "alert" not in analysis.article.text


# --------------------------------------------------------------------------- nothing else disturbed
def test_batch_of_bad_inputs_disturbs_nothing_else(tmp_path, monkeypatch):
    from test_batch import fake_job  # noqa: PLC0415 - the injected job of the batch tests

    from sourcecheck import batch

    monkeypatch.setattr(batch, "code_fingerprint", lambda: {"version": "test"})
    src = tmp_path / "in box"
    write(src, "good one.txt", ENGLISH)
    write(src, "Zürich.md", ENGLISH)
    write(src, "empty.txt", b"")
    write(src, "scan.txt", PDF)
    write(src, "photo.txt", PNG)
    write(src, "cp.txt", "\u201cCaf\u00e9\u201d, he said.\n".encode("cp1252"))
    (src / "empty folder").mkdir()
    big = src / "huge.txt"
    big.write_bytes(b"x " * 2_600_000)
    result = batch.run_batch(
        [src, src / "empty folder", tmp_path / "missing.txt"], tmp_path / "out", workers=2, job_fn=fake_job, progress=False
    )
    status = {Path(o.article_path).name: o for o in result.outcomes}
    assert {n for n, o in status.items() if o.status == "ok"} == {"good one.txt", "Zürich.md", "cp.txt"}
    assert any("cp1252" in w for w in status["cp.txt"].warnings)
    reasons = {n: o.error for n, o in status.items() if o.status == "failed"}
    assert set(reasons) == {"empty.txt", "scan.txt", "photo.txt", "huge.txt", "missing.txt"}
    for name, reason in reasons.items():
        assert name in reason
    assert "too large" in reasons["huge.txt"] and "PNG" in reasons["photo.txt"]
    assert any("empty folder" in w for w in result.input_warnings)
    assert result.exit_code == 1
