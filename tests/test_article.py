"""Loading articles in every supported format, with metadata and exact offsets."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sourcecheck.article import load_article, slugify
from sourcecheck.errors import ArticleError, MetadataError

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "ukraine-ceasefire.txt"
FIXTURES = Path(__file__).parent / "fixtures"


def check_offsets(article):
    for p in article.paragraphs:
        assert article.text[p.start:p.end] == p.text
    assert not any(p.text != p.text.strip() for p in article.paragraphs)


def test_seed_is_byte_identical_to_shared_copy():
    from sourcecheck.evaluation import shared_dirs

    shared = next((d / "seeds" / "ukraine-ceasefire.txt" for d in shared_dirs() if (d / "seeds").is_dir()), None)
    if shared is None:
        pytest.skip("../shared not present")
    assert SEED.read_bytes() == shared.read_bytes()


def test_seed_loads_with_sidecar_date_and_drops_recommended():
    a = load_article(SEED)
    assert a.published == "2025-03-14"
    assert a.language == "en"
    assert a.title is None and a.outlet is None
    assert a.dropped_lines == ["Recommended"]
    assert "Recommended" not in a.text.split("\n")
    assert a.slug == "ukraine-ceasefire"
    # paragraph structure kept: one paragraph per non-empty, non-boilerplate line
    raw_lines = [l for l in SEED.read_text(encoding="utf-8").split("\n") if l.strip() and l.strip() != "Recommended"]
    assert [p.text for p in a.paragraphs] == [l.strip() for l in raw_lines]
    check_offsets(a)


def test_published_parameter_overrides_sidecar():
    assert load_article(SEED, published="2025-03-15").published == "2025-03-15"


def test_txt_front_matter(tmp_path):
    f = tmp_path / "story.txt"
    f.write_text(
        "---\ntitle: Budget vote\noutlet: Example Times\npublished: 2024-05-02\nurl: https://example.com/a\n---\n"
        "The Senate voted on Wednesday.\n\nAdvertisement\n\n\"It is done,\" she said.\n",
        encoding="utf-8",
    )
    a = load_article(f)
    assert (a.title, a.outlet, a.published, a.url) == ("Budget vote", "Example Times", "2024-05-02", "https://example.com/a")
    assert a.text == 'The Senate voted on Wednesday.\n"It is done," she said.'
    assert a.dropped_lines == ["Advertisement"]
    check_offsets(a)


def test_markdown_and_yaml_sidecar(tmp_path):
    f = tmp_path / "Note Ünïcode.md"
    f.write_text("Officials said the plan would cost $5 million.\n", encoding="utf-8")
    (tmp_path / "Note Ünïcode.meta.yaml").write_text("published: 2023-01-09\noutlet: Wire\n", encoding="utf-8")
    a = load_article(f)
    assert a.published == "2023-01-09" and a.outlet == "Wire"
    assert a.source_format == "md"
    assert a.slug == "note-unicode"


def test_json_article(tmp_path):
    f = tmp_path / "a.json"
    f.write_text(json.dumps({"text": "He said it rained.\nIt did.", "title": "Rain", "publication_date": "2016-11-02"}), encoding="utf-8")
    a = load_article(f)
    assert a.text == "He said it rained.\nIt did."
    assert a.title == "Rain" and a.published == "2016-11-02"


def test_html_main_text_without_boilerplate_or_scripts(tmp_path):
    f = tmp_path / "page.html"
    shutil.copy(FIXTURES / "boilerplate_page.html", f)
    a = load_article(f)
    assert "good day for working families" in a.text
    assert "68 to 31" in a.text
    for junk in ("alert(", "tracking", "document.write", "injected", "Sports", "Privacy policy", "Advertisement"):
        assert junk not in a.text
    assert a.outlet == "The Example Times"
    assert a.published == "2024-05-02"
    assert len(a.paragraphs) >= 3
    check_offsets(a)


def test_same_page_loaded_again_and_again_gives_the_same_text(tmp_path):
    """trafilatura's de-duplication remembers paragraphs for the whole process; a re-run must not lose them."""
    f = tmp_path / "page.html"
    shutil.copy(FIXTURES / "boilerplate_page.html", f)
    texts = {load_article(f).sha256 for _ in range(5)}
    assert len(texts) == 1


@pytest.mark.parametrize(
    "name,content,problem",
    [
        ("missing.txt", None, "file not found"),
        ("empty.txt", b"", "is empty"),
        ("blank.txt", b"  \n\t \n", "whitespace"),
        ("fake.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        ("pic.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        ("article.docx", b"PK\x03\x04", "unsupported file type"),
        ("bad.json", b"{not json", "not valid JSON"),
        ("notext.json", b'{"title": "x"}', '"text"'),
    ],
)
def test_bad_files_name_the_file_and_problem(tmp_path, name, content, problem):
    f = tmp_path / name
    if content is not None:
        f.write_bytes(content)
    with pytest.raises(ArticleError) as err:
        load_article(f)
    assert str(f) in str(err.value)
    assert problem in str(err.value)


def test_bad_front_matter_is_a_metadata_error(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("---\ntitle: [unclosed\n---\nText here.\n", encoding="utf-8")
    with pytest.raises(MetadataError, match="front matter"):
        load_article(f)


def test_cp1252_is_decoded_with_a_warning(tmp_path):
    f = tmp_path / "legacy.txt"
    f.write_bytes("The minister said the caf\xe9 was \x93closed\x94.".encode("latin-1"))
    with pytest.warns(UserWarning, match="not valid UTF-8"):
        a = load_article(f)
    assert "café" in a.text and "“closed”" in a.text


@pytest.mark.parametrize("name,slug", [("a/x.txt", "x"), ("Über Straße 2025.txt", "uber-strae-2025"), ("../../etc/passwd", "passwd"), ("...", "article")])
def test_slugs_are_safe(name, slug):
    s = slugify(Path(name).name.rsplit(".", 1)[0] if "." in Path(name).name[1:] else Path(name).name)
    assert s == slug
    assert "/" not in s and ".." not in s
