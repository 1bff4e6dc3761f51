"""The PNG charts: drawn once per chart value, the same bytes every time."""

from __future__ import annotations

from sociaparis.reports.charts import _cached_png, render_png
from sociaparis.reports.content import Bar, BarChart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_png_is_drawn_once_per_chart_language_and_threshold() -> None:
    _cached_png.cache_clear()
    chart = BarChart(
        "Usage", (Bar("A", 0.5, 0.4, 0.6, 30), Bar("B", None, None, None, 2, "hidden"))
    )
    first = render_png(chart, lang="fr", min_count=5)
    again = render_png(chart, lang="fr", min_count=5)
    english = render_png(chart, lang="en", min_count=5)
    assert first.startswith(PNG_SIGNATURE)
    assert again == first
    assert english != first  # the hidden bar's label is translated
    info = _cached_png.cache_info()
    assert (info.hits, info.misses) == (1, 2)
