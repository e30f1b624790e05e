"""The sliding window's player: Play (slow), Fast and Pause buttons and a step slider, all
switching the figure's frames in the browser (plotly ``animate``), never the server."""

from __future__ import annotations

STEP = {
    "frame": {"duration": 0, "redraw": True},
    "mode": "immediate",
    "transition": {"duration": 0},
}
SLOW_MS, FAST_MS = 500, 120
"""Milliseconds per position: slow enough to read the sum, and fast enough to see the sweep (a
faster pace outruns plotly's redraw of the text and shapes)."""


def menus() -> list[dict]:
    """Play (slow), Fast and Pause; the slider steps one position at a time."""

    def play(ms: int) -> dict:
        return {**STEP, "frame": {"duration": ms, "redraw": True}, "fromcurrent": True}

    return [
        {
            "type": "buttons",
            "direction": "left",
            "showactive": False,
            "x": 0,
            "y": 1,
            "xanchor": "left",
            "yanchor": "bottom",
            "pad": {"b": 8, "r": 4},
            "font": {"size": 12},
            "buttons": [
                {"label": "▶ Play", "method": "animate", "args": [None, play(SLOW_MS)]},
                {"label": "▶▶ Fast", "method": "animate", "args": [None, play(FAST_MS)]},
                {"label": "❚❚ Pause", "method": "animate", "args": [[None], STEP]},
            ],
        }
    ]


def slider(count: int) -> dict:
    every = max(1, count // 12)
    return {
        "active": 0,
        "x": 0.3,
        "len": 0.7,
        "y": 1,
        "yanchor": "bottom",
        "pad": {"b": 4, "t": 0},
        "ticklen": 2,
        "minorticklen": 0,
        "font": {"size": 9},
        "currentvalue": {"prefix": "position ", "font": {"size": 11}},
        "steps": [
            {
                "label": str(i) if i % every == 0 else "",
                "method": "animate",
                "args": [[str(i)], STEP],
            }
            for i in range(count)
        ],
    }
