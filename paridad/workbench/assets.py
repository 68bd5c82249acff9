"""The browser libraries the workbench serves: installed from the npm registry at build time,
copied under ``static/vendor/`` and served by the node itself.

A workbench must work on a network with no way out, so no page loads a script from a CDN.
``make install`` runs ``npm ci`` in ``frontend/`` (the versions are pinned in its
``package-lock.json``) and then ``python -m paridad.workbench.assets``, which copies the files
below. A node started without them still serves every server-rendered page; the link chart
and the map say which files are missing and how to install them instead of failing silently.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).parent
FRONTEND = HERE / "frontend"
VENDOR = HERE / "static" / "vendor"

# Served name under /static/vendor/ -> path inside frontend/node_modules/.
FILES: dict[str, str] = {
    "cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
    "cytoscape-svg.js": "cytoscape-svg/cytoscape-svg.js",
    "leaflet.js": "leaflet/dist/leaflet.js",
    "leaflet.css": "leaflet/dist/leaflet.css",
    "images/marker-icon.png": "leaflet/dist/images/marker-icon.png",
    "images/marker-icon-2x.png": "leaflet/dist/images/marker-icon-2x.png",
    "images/marker-shadow.png": "leaflet/dist/images/marker-shadow.png",
    "images/layers.png": "leaflet/dist/images/layers.png",
    "images/layers-2x.png": "leaflet/dist/images/layers-2x.png",
    "topojson-client.min.js": "topojson-client/dist/topojson-client.min.js",
    # Public-domain geometry: US states (Census) and country outlines (Natural Earth).
    "us-states-10m.json": "us-atlas/states-10m.json",
    "countries-50m.json": "world-atlas/countries-50m.json",
}

# The files each interactive page needs.
LINK_CHART = ("cytoscape.min.js", "cytoscape-svg.js")
MAP = (
    "leaflet.js",
    "leaflet.css",
    "topojson-client.min.js",
    "us-states-10m.json",
    "countries-50m.json",
)


def missing(names: tuple[str, ...], vendor: Path | None = None) -> list[str]:
    """The files of ``names`` not installed under ``vendor`` (the served folder)."""
    folder = vendor or VENDOR
    return [name for name in names if not (folder / name).is_file()]


def copy_vendor(node_modules: Path = FRONTEND / "node_modules", vendor: Path = VENDOR) -> int:
    """Copy every file of :data:`FILES` from ``node_modules``; the number copied.

    Raises ``FileNotFoundError`` naming the first absent file, so a build that skipped
    ``npm ci`` stops with the reason instead of serving a page without its library.
    """
    for name, source in FILES.items():
        origin = node_modules / source
        if not origin.is_file():
            raise FileNotFoundError(f"{origin} is missing: run 'npm ci' in {FRONTEND}")
        target = vendor / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(origin, target)
    return len(FILES)


def main() -> int:
    try:
        count = copy_vendor()
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{count} browser files installed under {VENDOR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
