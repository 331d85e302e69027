"""The command line, end to end, as a desk would use it."""
from __future__ import annotations

import json
from pathlib import Path

from conftest import ROOT, SEED, run_cli


def test_run_on_seed_prints_report_path_last(seed_run):
    proc = seed_run["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    last = proc.stdout.strip().splitlines()[-1]
    report = Path(last)
    assert report == seed_run["out"] / "report.html"
    assert report.exists() and report.stat().st_size > 10_000
    for name in ("claims.csv", "claims.json", "analysis.json", "verify_article.ipynb"):
        assert (seed_run["out"] / name).exists(), name
    assert not (seed_run["out"] / "FAILED.txt").exists()


def test_run_writes_claims_exports_matching_analysis(seed_run):
    out = seed_run["out"]
    claims = json.loads((out / "claims.json").read_text(encoding="utf-8"))
    analysis = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    text = analysis["article"]["text"]
    assert claims["claims"] == analysis["claims"]
    assert len(claims["claims"]) >= 10
    for c in claims["claims"]:
        for s in c["spans"]:
            assert text[s["start"]:s["end"]] == s["text"]
    header = (out / "claims.csv").read_text(encoding="utf-8").splitlines()[0]
    for col in ("claim_id", "speaker", "speaker_type", "channel", "cue", "content", "quote_type"):
        assert col in header.split(",")


def test_seed_report_tables_show_no_ids_or_offsets_but_the_exports_keep_them(seed_run):
    import re

    out = seed_run["out"]
    html = (out / "report.html").read_text(encoding="utf-8")
    tables = re.findall(r'<table[^>]*class="[^"]*sc-table[^"]*".*?</table>', html, flags=re.S)
    assert len(tables) >= 4  # claims, sources, assertions, flags, matrix, ...
    headers = {h.strip() for t in tables for h in re.findall(r"<th[^>]*>([^<]*)</th>", t)}
    assert "speaker" in headers and "first mention" in headers
    assert not [h for h in headers if "_" in h], "a reader's table names its columns in words"
    for internal in ("speaker_id", "first_mention_start", "id", "start", "end", "claim id", "flag id", "group"):
        assert internal not in headers, internal
    ids = re.compile(r"\b[a-z]{1,3}-[0-9a-f]{12}\b")  # claim, speaker, group, flag ids
    assert not any(ids.search(t) for t in tables), [ids.search(t).group() for t in tables if ids.search(t)][:3]
    analysis = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    assert analysis["speakers"] and all(ids.match(s["id"]) for s in analysis["speakers"])
    assert any(c.get("speaker_id") for c in analysis["claims"])


def test_missing_article_fails_with_one_line_naming_the_file(tmp_path):
    missing = tmp_path / "nope.txt"
    proc = run_cli("run", missing, "--out", tmp_path / "out")
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(missing) in lines[0] and "not found" in lines[0]
    assert not (tmp_path / "out" / "report.html").exists()


def test_empty_article_fails_clearly(tmp_path):
    empty = tmp_path / "empty article.txt"
    empty.write_text("", encoding="utf-8")
    proc = run_cli("analyze", empty)
    assert proc.returncode == 1
    assert str(empty) in proc.stderr and "empty" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_analyze_json_has_offsets_into_the_loaded_text(tmp_path):
    out = tmp_path / "a.json"
    proc = run_cli("analyze", SEED, "--json", out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema"] == "sourcecheck.analysis/1"
    assert data["article"]["published"] == "2025-03-14"
    text = data["article"]["text"]
    assert data["attributions"], "no attributions found in the seed"
    for a in data["attributions"]:
        for role in ("source", "cue", "content"):
            for s in a[role]:
                assert text[s["start"]:s["end"]] == s["text"]
    claim_ids = {c["id"] for c in data["claims"]}
    for f in data["flags"]:
        assert f["claim_id"] in claim_ids


def test_analyze_published_parameter_wins(tmp_path):
    proc = run_cli("analyze", SEED, "--published", "2025-03-20")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["article"]["published"] == "2025-03-20"


def test_every_subcommand_is_documented_in_readme():
    from sourcecheck.cli import build_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sub = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, parser in sub.choices.items():
        assert f"sourcecheck {name}" in readme, name
        for action in parser._actions:
            for opt in action.option_strings:
                if opt.startswith("--") and opt != "--help":
                    assert opt in readme, f"{name} {opt} missing from README"


def test_runner_skips_the_iri_checker_and_still_validates_notebooks():
    """``runner.import_papermill`` leaves out jsonschema's IRI checker (0.8 s of import, bench --single);
    notebooks must still validate, and a notebook that breaks the schema must still be refused."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from sourcecheck.runner import import_papermill\n"
        "import_papermill()\n"
        "import nbformat\n"
        "assert sys.modules.get('rfc3987_syntax') is None, 'the IRI checker was imported'\n"
        f"nb = nbformat.read({str(ROOT / 'notebooks' / 'verify_article.ipynb')!r}, as_version=4)\n"
        "nbformat.validate(nb)\n"
        "nb.cells[0]['cell_type'] = 'not a cell type'\n"
        "try:\n"
        "    nbformat.validate(nb)\n"
        "except nbformat.ValidationError:\n"
        "    print('refused')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "refused"
