"""Clicking nodes of the case's link chart as an analyst does: with the mouse, where cytoscape drew
them, once the page stopped moving."""

from __future__ import annotations

import json
import time


def until(page, js: str, timeout_s: float = 15) -> None:
    """Wait until the expression is true (page.wait_for_function evaluates strings with eval, which
    the pages' Content-Security-Policy forbids)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(js):
        assert time.monotonic() < deadline, f"timed out waiting for {js}"
        page.wait_for_timeout(100)


def where(page, node_id: str) -> dict:
    """Where on the screen cytoscape drew the node (page coordinates)."""
    page.locator("#graph").scroll_into_view_if_needed()
    box = page.locator("#graph").bounding_box()
    pos = page.evaluate(f"window.tahqiqGraph.getElementById({json.dumps(node_id)}).renderedPosition()")
    if not (0 <= pos["x"] <= box["width"] and 0 <= pos["y"] <= box["height"]):
        # A chart held at a legible zoom may draw the node off screen: the analyst pans to it.
        pos = page.evaluate(f"""() => {{ const n = window.tahqiqGraph.getElementById({json.dumps(node_id)});
            window.tahqiqGraph.center(n); return n.renderedPosition(); }}""")
    return {"x": round(box["x"] + pos["x"], 1), "y": round(box["y"] + pos["y"], 1)}


def click_node(page, node_id: str, double: bool = False, done: str | None = None) -> None:
    """A real mouse click on the canvas, where cytoscape drew the node, once the page stopped moving
    (the timeline, map and chart list load beside the graph and may shift it). `done` is the
    expression that tells the click landed (default: the node is selected); a click that landed on
    a spot the page had just moved away from is made again."""
    done = done or f"window.tahqiqGraph.getElementById({json.dumps(node_id)}).selected()"
    for _ in range(3):
        deadline, last = time.monotonic() + 10, None
        while (here := where(page, node_id)) != last and time.monotonic() < deadline:
            last = here
            page.wait_for_timeout(150)
        (page.mouse.dblclick if double else page.mouse.click)(here["x"], here["y"])
        try:
            until(page, done, timeout_s=10)
            return
        except AssertionError:
            continue
    raise AssertionError(f"clicking node {node_id} never gave {done}")
