"""US Border Patrol sectors along the Mexican border, as longitude ranges of the line.

Alerts name the sector so the right Border Patrol sector and its Mexican counterpart are
called. The real sector limits follow county lines; cutting the line by longitude is close
enough for routing an alert and needs no extra data. The cut points (degrees east, the
western limit of each sector) are approximations of where those county lines meet the border:

- San Diego: the Pacific to the San Diego–Imperial county line (-116.10)
- El Centro: to the Imperial Sand Dunes (-114.90), where Yuma sector begins
- Yuma: to the Yuma–Pima county line (-113.33)
- Tucson: to the Arizona–New Mexico line (-109.05)
- El Paso: New Mexico and the El Paso and Hudspeth county river front, to -104.98
- Big Bend: to the Terrell–Val Verde county line (-101.76)
- Del Rio: to the Maverick–Webb county line (-100.25)
- Laredo: to the Zapata–Starr county line (-99.20)
- Rio Grande Valley: to the Gulf

They are not the sectors' official boundaries; a point within a few kilometres of a cut may
belong to the neighbouring sector.
"""

from __future__ import annotations

import bisect

# (western limit in degrees of longitude, sector name), west to east. The names are the
# sectors' proper names, the same in both languages, and serve as identifiers.
SECTOR_CUTS: tuple[tuple[float, str], ...] = (
    (-180.0, "San Diego"),
    (-116.10, "El Centro"),
    (-114.90, "Yuma"),
    (-113.33, "Tucson"),
    (-109.05, "El Paso"),
    (-104.98, "Big Bend"),
    (-101.76, "Del Rio"),
    (-100.25, "Laredo"),
    (-99.20, "Rio Grande Valley"),
)
SECTORS: tuple[str, ...] = tuple(name for _, name in SECTOR_CUTS)
_LIMITS = [limit for limit, _ in SECTOR_CUTS]


def sector_at_longitude(longitude: float) -> str:
    """The sector whose stretch of the line contains ``longitude``."""
    index = bisect.bisect_right(_LIMITS, longitude) - 1
    return SECTOR_CUTS[max(index, 0)][1]
