"""What every graph page shares: the vis-network bundle and the colour of each type.

vis-network comes from pyvis's own package (``VIS_LIB``), which the app serves at
``/vislib``: no page ever needs a CDN.
"""

from __future__ import annotations

from pathlib import Path

import pyvis

VIS_LIB = Path(pyvis.__file__).parent / "templates" / "lib"
VIS_JS = "vis-9.1.2/vis-network.min.js"
VIS_CSS = "vis-9.1.2/vis-network.css"
TYPE_COLOURS: dict[str, str] = {
    "Person": "#e4572e",
    "Organization": "#2e86ab",
    "Group": "#f3a712",
    "Place": "#29bf12",
    "Event": "#a846a0",
    "Product": "#6c757d",
    "CreativeWork": "#17bebb",
    "Thing": "#9e9e9e",
}

__all__ = ["TYPE_COLOURS", "VIS_CSS", "VIS_JS", "VIS_LIB"]
