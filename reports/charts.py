"""Bar charts drawn on the server as SVG geometry, so they work without JavaScript and under a
strict CSP (presentation attributes only, no ``style``). Every chart has a title and a text
description, and the page shows the same figures in a table next to it.
"""

from dataclasses import dataclass

from reports.published import Row

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 40
BAR_FILL = "#1d70b8"  # GOV.UK blue: 5.2:1 on white


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    text: str
    missing: bool


@dataclass
class Chart:
    id: str
    title: str
    description: str
    bars: list[Bar]
    gridlines: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT
    fill: str = BAR_FILL
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM
    right_edge: int = WIDTH - RIGHT


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    step = 1.0
    while step * 10 < value:
        step *= 10
    for multiple in (1, 2, 5, 10):
        if step * multiple >= value:
            return step * multiple
    return step * 10


def bar_chart(
    chart_id: str,
    title: str,
    rows: list[Row],
    figure: str,
    *,
    percent: bool = False,
    short_label=lambda row: row.label,
    missing_text: str = "",
) -> Chart:
    """One bar per row (totals left out); a suppressed value is a gap marked ``missing_text``."""
    rows = [row for row in rows if not row.total]
    values = [row.cells[figure].value if row.cells[figure].available else None for row in rows]
    top = 100.0 if percent else _nice_max(max([v for v in values if v is not None] or [0]))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(rows), 1)
    bars = []
    described = []
    for index, (row, value) in enumerate(zip(rows, values, strict=True)):
        height = 0 if value is None else plot_h * value / top
        suffix = "%" if percent else ""
        text = missing_text if value is None else f"{value:g}{suffix}"
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.15, 1),
                y=round(TOP + plot_h - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=short_label(row),
                text=text,
                missing=value is None,
            )
        )
        described.append(f"{row.label}: {text}")
    gridlines = [
        (round(TOP + plot_h * (1 - fraction), 1), f"{top * fraction:g}{'%' if percent else ''}")
        for fraction in (0, 0.5, 1)
    ]
    return Chart(
        id=chart_id,
        title=title,
        description="; ".join(described) + ".",
        bars=bars,
        gridlines=gridlines,
    )
