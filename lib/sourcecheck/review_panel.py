"""The ipywidgets review panel: step through claims (flagged first) and record verdicts.

For each claim it shows the claim in its sentence, the speaker and channel, the
flags, the evidence for and against, and the latest recorded verdict with its
history. "Save verdict" appends a row to the ``VerdictStore``; what the panel
then shows is read back from the store, never from widget state, so a re-run or
a fresh kernel shows exactly what was saved. Every piece of article text is
escaped before it goes into an ``HTML`` widget.

Only used when someone can click (``review.is_interactive``); a headless run
shows ``review.verdict_table`` instead.
"""
from __future__ import annotations

import html
from typing import Optional

import ipywidgets as w

from . import constants
from .errors import ReviewStoreError
from .model import Analysis, shorten
from .review import (
    ReviewItem,
    VerdictStore,
    claim_in_context_html,
    evidence_html,
    review_queue,
    verdict_table,
    verdicts_html,
)

_CSS = """<style>
.sc-review mark.sc-claim {background:#fff3b0; padding:0 .1em;}
.sc-review .sc-flag {color:#a40000; font-weight:bold;}
.sc-review .sc-muted {color:#555;}
.sc-review ul {margin:.2em 0 .4em 1.2em; padding:0;}
</style>"""


class ReviewPanel:
    """Build with an analysis and a store; display ``panel.widget``."""

    def __init__(self, analysis: Analysis, store: VerdictStore, *, reviewer: str = "", flagged_only: bool = False):
        self.analysis = analysis
        self.store = store
        self.items: list[ReviewItem] = review_queue(analysis, flagged_only=flagged_only)
        self.index = 0

        self.summary = w.HTML()
        self.jump = w.Dropdown(options=self._jump_options(), layout=w.Layout(width="100%"), description="Claim")
        self.prev_button = w.Button(description="◀ Previous", tooltip="previous claim")
        self.next_button = w.Button(description="Next ▶", tooltip="next claim")
        self.claim_html = w.HTML()
        self.verdict = w.ToggleButtons(
            options=[(label, key) for key, label in constants.VERDICT_LABELS.items()], value=None, description="Verdict"
        )
        self.note = w.Textarea(placeholder="why: what you checked, who you called, links", description="Note",
                               layout=w.Layout(width="100%", height="5em"))
        self.reviewer = w.Text(value=reviewer, placeholder="your name", description="Reviewer")
        self.save_button = w.Button(description="Save verdict", button_style="primary", icon="check")
        self.status = w.HTML()
        self.recorded = w.HTML()
        self.orphans_html = w.HTML()
        self.table_html = w.HTML()
        for widget, cls in (
            (self.verdict, "sc-verdict"), (self.note, "sc-note"), (self.reviewer, "sc-reviewer"),
            (self.save_button, "sc-save"), (self.prev_button, "sc-prev"), (self.next_button, "sc-next"),
            (self.status, "sc-status"), (self.recorded, "sc-recorded"), (self.claim_html, "sc-claim-box"),
            (self.jump, "sc-jump"), (self.table_html, "sc-verdict-table"),
        ):
            widget.add_class(cls)

        self.prev_button.on_click(lambda _b: self.go(self.index - 1))
        self.next_button.on_click(lambda _b: self.go(self.index + 1))
        self.save_button.on_click(lambda _b: self.save())
        self.jump.observe(self._on_jump, names="value")

        self.widget = w.VBox(
            [
                w.HTML(_CSS), self.summary, self.jump, w.HBox([self.prev_button, self.next_button]), self.claim_html,
                self.recorded, self.verdict, self.note, w.HBox([self.reviewer, self.save_button]), self.status,
                self.orphans_html, self.table_html,
            ]
        )
        self.widget.add_class("sc-review")
        self.go(0)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The live panel for JupyterLab, plus the static verdict table for anything without widgets."""
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/html"] = verdicts_html(self.analysis, self.store.for_analysis(self.analysis))
        return bundle

    # ----------------------------------------------------------------- navigation
    def _jump_options(self) -> list[tuple[str, int]]:
        opts = []
        for i, it in enumerate(self.items):
            mark = "⚑ " if it.flagged else ""
            who = self.analysis.speaker_label(it.claim) or "(article)"
            text = shorten(it.claim.text, 80)
            opts.append((f"{i + 1}. {mark}{who}: {text}", i))  # Dropdown labels are rendered as text
        return opts

    def _on_jump(self, change) -> None:
        if change["new"] is not None and change["new"] != self.index:
            self.go(change["new"])

    def go(self, index: int) -> None:
        """Show claim ``index`` (clamped), its latest verdict from the store, and reset the inputs."""
        if not self.items:
            self.summary.value = "<p>No claims to review in this article.</p>"
            for b in (self.prev_button, self.next_button, self.save_button):
                b.disabled = True
            return
        self.index = max(0, min(index, len(self.items) - 1))
        self.prev_button.disabled = self.index == 0
        self.next_button.disabled = self.index == len(self.items) - 1
        if self.jump.value != self.index:
            self.jump.value = self.index
        self.note.value = ""
        self.status.value = ""
        self.refresh()

    @property
    def item(self) -> ReviewItem:
        return self.items[self.index]

    # ----------------------------------------------------------------- rendering (from the store)
    def refresh(self) -> None:
        state = self.store.for_analysis(self.analysis)
        n_flag = sum(1 for it in self.items if it.flagged)
        n_done = sum(1 for it in self.items if it.claim.id in state.latest)
        self.summary.value = (
            f"<b>Review</b> — claim {self.index + 1} of {len(self.items)}; {n_flag} flagged; "
            f"{n_done} with a verdict. <span class='sc-muted'>Store: {html.escape(str(self.store.path))}</span>"
        )
        self.claim_html.value = self._claim_block(self.item)
        latest = state.latest.get(self.item.claim.id)
        self.verdict.value = latest.verdict if latest else None
        self.recorded.value = self._recorded_block(self.item.claim.id)
        table = verdict_table(self.analysis, state)
        self.table_html.value = (
            "<details><summary>All verdicts on this article (" + str(len(table)) + ")</summary>"
            + table.to_html(index=False, escape=True, na_rep="") + "</details>"
            if len(table) else ""
        )
        if state.orphans:
            lis = "".join(
                f"<li>{html.escape(v.label)} — “{html.escape(v.claim_text)}” "
                f"<span class='sc-muted'>({html.escape(v.reviewer)}, {html.escape(v.created_at[:16])})</span></li>"
                for v in state.orphans
            )
            self.orphans_html.value = (
                f"<details><summary>{len(state.orphans)} verdict(s) on claims no longer in the article "
                f"(kept, not deleted)</summary><ul>{lis}</ul></details>"
            )
        else:
            self.orphans_html.value = ""

    def _claim_block(self, it: ReviewItem) -> str:
        c = it.claim
        e = html.escape
        label = self.analysis.speaker_label(c)  # None: the article's own assertion
        if label is None:
            who = "<i>the article itself (no attribution)</i>"
        else:
            who = e(label) if c.speaker else f"<i>{e(label)}</i>"
        if c.role or c.affiliation:
            who += " <span class='sc-muted'>(" + e(", ".join(x for x in (c.role, c.affiliation) if x)) + ")</span>"
        lines = [
            f"<p>{claim_in_context_html(self.analysis.article, c)}</p>",
            f"<p><b>Speaker:</b> {who}"
            + (f" &nbsp; <b>Channel:</b> {e(c.channel.label)}" if c.channel else "")
            + (f" &nbsp; <b>Cue:</b> {e(c.cue)}" if c.cue else "")
            + f" &nbsp; <span class='sc-muted'>id {e(c.id)}</span></p>",
        ]
        if it.flags:
            lines.append(
                "<p class='sc-flag'>⚑ Flagged: "
                + "; ".join(f"{e(f.relation.replace('_', ' '))} — {e(f.reason)}" for f in it.flags)
                + "</p>"
            )
        for title, pairs in (("Evidence against", it.evidence_against), ("Evidence for", it.evidence_for),
                             ("Context", it.context)):
            if pairs:
                lines.append(f"<b>{title}</b><ul>" + "".join(f"<li>{evidence_html(r, ec)}</li>" for r, ec in pairs) + "</ul>")
        if not (it.evidence_against or it.evidence_for or it.context):
            lines.append("<p class='sc-muted'>No other passage in the article bears on this claim.</p>")
        return "".join(lines)

    def _recorded_block(self, claim_id: str) -> str:
        hist = self.store.history(self.analysis.article.slug, claim_id)
        if not hist:
            return "<p class='sc-muted'>No verdict recorded yet.</p>"
        last = hist[-1]
        e = html.escape
        out = (
            f"<p><b>Recorded verdict: <span class='sc-recorded-verdict'>{e(last.label)}</span></b> "
            f"by {e(last.reviewer)}, {e(last.created_at[:19].replace('T', ' '))} UTC"
            + (f" — {e(last.note)}" if last.note else "")
            + "</p>"
        )
        if len(hist) > 1:
            out += "<details><summary>History</summary><ul>" + "".join(
                f"<li>{e(v.label)} by {e(v.reviewer)}, {e(v.created_at[:19].replace('T', ' '))}"
                + (f" — {e(v.note)}" if v.note else "") + "</li>"
                for v in reversed(hist[:-1])
            ) + "</ul></details>"
        return out

    # ----------------------------------------------------------------- saving
    def save(self) -> Optional[object]:
        """Append the chosen verdict to the store; report problems in the panel, never raise into the UI."""
        if not self.items:
            return None
        if self.verdict.value is None:
            self.status.value = "<span class='sc-flag'>Choose a verdict first.</span>"
            return None
        try:
            v = self.store.record(
                self.analysis.article, self.item.claim, self.verdict.value,
                reviewer=self.reviewer.value, note=self.note.value,
            )
        except ReviewStoreError as exc:
            self.status.value = f"<span class='sc-flag'>Not saved: {html.escape(str(exc))}</span>"
            return None
        self.refresh()
        self.status.value = f"<span class='sc-saved'>Saved: {html.escape(v.label)} (#{v.seq}).</span>"
        return v
