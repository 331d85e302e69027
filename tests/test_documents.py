"""Primary documents: formats, metadata (front matter, sidecar, JSON fields), folder rules, errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from sourcecheck.documents import default_documents_dir, load_document, load_documents
from sourcecheck.errors import PrimaryDocumentError

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "ukraine-ceasefire.txt"


def write(p: Path, text: str) -> Path:
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "name, content, sidecar, expected",
    [
        ("post.txt", "---\nspeaker: Jane Doe\nchannel: post on X\ndate: 2025-03-14\ntitle: A post\n---\nHello world.\n",
         None, {"speaker": "Jane Doe", "channel": "post on X", "date": "2025-03-14", "title": "A post", "text": "Hello world."}),
        ("note.md", "# Heading\n\nBody text here.\n", {"speaker": "John Roe", "url": "https://example.org/x"},
         {"speaker": "John Roe", "url": "https://example.org/x", "text": "# Heading\n\nBody text here.", "format": "md"}),
        ("page.html", "<html><body><script>evil()</script><p>We agree with the proposals.</p></body></html>",
         {"speaker": "Vladimir Putin", "date": "2025-03-13"},
         {"speaker": "Vladimir Putin", "text": "We agree with the proposals.", "format": "html"}),
        ("statement.json", json.dumps({"text": "Joint words.", "speaker": ["United States", "Ukraine"], "date": "2025-03-11"}),
         None, {"speaker": "United States", "aliases": ["Ukraine"], "text": "Joint words.", "format": "json"}),
        ("crlf.txt", "---\r\nspeaker: A B\r\n---\r\nline one\r\n\r\n\r\n\r\nline two\r\n", None,
         {"speaker": "A B", "text": "line one\n\nline two"}),
    ],
)
def test_formats_and_metadata(tmp_path, name, content, sidecar, expected):
    p = write(tmp_path / name, content)
    if sidecar:
        write(tmp_path / (name.rsplit(".", 1)[0] + ".meta.json"), json.dumps(sidecar))
    doc = load_document(p)
    for key, value in expected.items():
        assert getattr(doc, key) == value, key


def test_sidecar_wins_over_front_matter(tmp_path):
    p = write(tmp_path / "a.txt", "---\nspeaker: Old Name\n---\ntext\n")
    write(tmp_path / "a.meta.yaml", "speaker: New Name\n")
    assert load_document(p).speaker == "New Name"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("bad.txt", "---\nspeaker: [unclosed\n---\ntext\n", "front matter is not valid YAML"),
        ("bad.json", "{not json", "is not valid JSON"),
        ("notext.json", json.dumps({"speaker": "X"}), '"text" string field'),
        ("empty.txt", "---\nspeaker: X\n---\n   \n", "has no text"),
        ("date.txt", "---\ndate: next spring\n---\ntext\n", "is not a date"),
        ("aliases.txt", "---\naliases: {a: 1}\n---\ntext\n", "'aliases' must be a list"),
    ],
)
def test_bad_document_names_the_file(tmp_path, name, content, message):
    write(tmp_path / name, content)
    with pytest.raises(PrimaryDocumentError) as exc:
        load_documents(tmp_path)
    assert name in str(exc.value) and message in str(exc.value)


def test_binary_and_non_utf8(tmp_path):
    (tmp_path / "bin.txt").write_bytes(b"abc\x00def")
    with pytest.raises(PrimaryDocumentError, match="bin.txt.*binary"):
        load_document(tmp_path / "bin.txt")
    (tmp_path / "latin.txt").write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(PrimaryDocumentError, match="latin.txt.*UTF-8"):
        load_document(tmp_path / "latin.txt")


def test_folder_skips_readme_sidecars_hidden_and_lists_unsupported(tmp_path):
    write(tmp_path / "README.md", "# not a document")
    write(tmp_path / ".hidden.txt", "no")
    write(tmp_path / "a.txt", "text a")
    write(tmp_path / "a.meta.json", json.dumps({"speaker": "A"}))
    write(tmp_path / "scan.pdf", "%PDF")
    docs = load_documents(tmp_path)
    assert [d.id for d in docs] == ["a"]
    assert docs.documents[0].speaker == "A"
    assert any("scan.pdf" in s for s in docs.skipped)


def test_missing_speaker_is_a_warning_not_an_error(tmp_path):
    write(tmp_path / "a.txt", "text")
    docs = load_documents(tmp_path)
    assert len(docs) == 1 and "speaker" in docs.warnings[0]


def test_duplicate_stems_get_unique_ids(tmp_path):
    write(tmp_path / "x.txt", "one")
    write(tmp_path / "x.md", "two")
    assert sorted(d.id for d in load_documents(tmp_path)) == ["x", "x-2"]


def test_default_folder_rules(tmp_path):
    art = write(tmp_path / "story.txt", "text")
    assert default_documents_dir(art) is None
    (tmp_path / "story.txt.sources").mkdir()
    assert default_documents_dir(art) == tmp_path / "story.txt.sources"
    (tmp_path / "story.sources").mkdir()
    with pytest.raises(PrimaryDocumentError, match="two documents folders"):
        default_documents_dir(art)


def test_explicit_missing_folder_is_an_error(tmp_path):
    with pytest.raises(PrimaryDocumentError, match="not found"):
        load_documents(tmp_path / "nope")
    assert len(load_documents(None)) == 0


def test_seed_fixtures_load_with_metadata():
    folder = default_documents_dir(SEED)
    assert folder == SEED.with_name("ukraine-ceasefire.sources")
    docs = load_documents(folder)
    assert not docs.skipped and not docs.warnings
    by_speaker = {d.speaker: d for d in docs}
    assert set(by_speaker) == {"Donald J. Trump", "United States and Ukraine", "Vladimir Putin", "Yuri Ushakov"}
    for d in docs:
        assert d.date and d.url and d.title and d.channel
        assert "TEST FIXTURE" in (d.note or "")
    assert "VULNERABLE POSITION" in by_speaker["Donald J. Trump"].text
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "test fixtures reconstructed for testing" in readme.lower() and "not fetched" in readme
