"""How the package's charts are made and shown: one matplotlib figure per chart, shown as SVG.

Every chart function (``report.claims_per_source_chart``, ``speakers.speaker_type_chart``,
``crosscheck.matrix_chart``, ``timeline.timeline_chart``, the batch overview's charts) makes its
figure with ``subplots`` below, so:

* a notebook shows it, even when the cell ends with ``;`` (pyplot's figures are shown at the end of
  the cell; a bare ``matplotlib.figure.Figure`` would not be);
* in a running kernel, figures are sent as SVG instead of PNG, so the report prints sharp at any
  size. Drawing the seed's four charts as SVG took 0.53 s against 0.75 s as PNG (first drawing
  included, one process, 2026-12-07); end to end that gain is lost in the machine's noise and in the
  relation-matrix chart that now shows. The seed's report grew from 476 KB to 578 KB with it.
  Text stays drawn as glyph outlines (matplotlib's default), so a chart looks the same whatever
  fonts the reader's machine has, and nothing of the article reaches the page as markup (nbconvert
  puts the SVG in an ``<img>``, where no script could run anyway).

Each chart also says in words what it shows (``describe``): the kernel sends that text with the
SVG as its ``alt`` metadata, and the report's template writes it into the image's ``alt`` attribute
(escaped), so a screen reader, a search in the page or a report whose images are blocked still gives
the numbers. Without one, the figure's titles are used.

Outside a kernel (tests, scripts) nothing is configured; the functions return the figure as before.
"""
from __future__ import annotations

import weakref

_configured = False
_descriptions: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()

#: How many items a description lists before "and N more".
DESCRIBED_ITEMS = 12


def describe(fig, title: str, items=()) -> None:
    """Say in words what ``fig`` shows: ``title``, then ``items`` (strings) joined, the first
    ``DESCRIBED_ITEMS`` of them and how many more."""
    items = [str(i) for i in items]
    text = title
    if items:
        more = len(items) - DESCRIBED_ITEMS
        text += ": " + "; ".join(items[:DESCRIBED_ITEMS]) + (f"; and {more} more" if more > 0 else "")
    _descriptions[fig] = text


def nothing_to_show(fig, ax, title: str, message: str) -> None:
    """An empty chart: ``message`` in the middle of ``ax``, no axes, and the description
    "``title``: ``message``"."""
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    describe(fig, f"{title}: {message[:1].lower()}{message[1:]}")


def description(fig) -> str:
    """What ``describe`` recorded for ``fig``, else its axes' titles, else "Chart"."""
    if fig in _descriptions:
        return _descriptions[fig]
    titles = [ax.get_title() for ax in fig.get_axes() if ax.get_title()]
    return "; ".join(titles) or "Chart"


def _show_as_svg() -> None:
    """Ask the running IPython kernel, if any, to send matplotlib figures as SVG (once)."""
    global _configured
    if _configured:
        return
    _configured = True
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebook stack
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):  # a terminal IPython or no IPython: leave it alone
        return
    from matplotlib.figure import Figure
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("svg")
    svg = shell.display_formatter.formatters["image/svg+xml"]
    draw = svg.lookup_by_type(Figure)
    # IPython takes (data, metadata) from a formatter: the description travels with the image
    svg.for_type(Figure, lambda fig: (draw(fig), {"alt": description(fig)}))


def subplots(**kwargs):
    """``matplotlib.pyplot.subplots(**kwargs)``, with figures shown as SVG in a kernel (module docstring)."""
    import matplotlib.pyplot as plt

    _show_as_svg()
    return plt.subplots(**kwargs)
