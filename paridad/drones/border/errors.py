"""What can go wrong with the border's data and with the positions and tracks given to it.

Every message is an English msgid with ``{placeholders}`` so a watch officer reads it in
Spanish or English; the parameters travel with the error (``ParidadError``)."""

from __future__ import annotations

from paridad.errors import ParidadError
from paridad.i18n import N_

# The shipped data files (or files handed to ``Border.from_files``).
MSG_UNREADABLE = N_("Cannot read the border data file {path}: {reason}")
MSG_NOT_GEOJSON = N_("The border data file {path} is not a GeoJSON FeatureCollection.")
MSG_NO_LINE = N_("The border data file {path} has no LineString with source {source}.")
MSG_BAD_LINE = N_(
    "The {source} border line needs at least two distinct points with valid longitudes and "
    "latitudes."
)
MSG_LINE_DIRECTION = N_("The {source} border line must run from west to east.")
MSG_NO_PORTS = N_("The ports of entry file {path} lists no ports.")
MSG_BAD_PORT = N_("Port of entry number {index} in {path} has a missing or invalid {field}.")
MSG_DUPLICATE_PORT = N_("Port of entry code {code} appears twice in {path}.")
MSG_BAD_MARGIN = N_(
    "The ambiguity margin must be a finite number of metres, zero or more: {value}."
)

# Positions, times and tracks.
MSG_BAD_POSITION = N_(
    "Invalid position: latitude {lat}, longitude {lon} (latitudes lie between -90 and 90, "
    "longitudes between -180 and 180)."
)
MSG_SHAPES = N_(
    "Latitudes and longitudes do not match: {lat_count} latitudes and {lon_count} longitudes."
)
MSG_NOT_ONE_POSITION = N_("One position was expected, not {count}.")
MSG_BAD_TIME = N_(
    "Invalid time {time} for track {track}: a time is POSIX seconds, a finite number."
)
MSG_BAD_TRACK = N_("A track id must be a non-empty text, not {value}.")
MSG_LENGTHS = N_(
    "Track ids, times, latitudes and longitudes must come in equal numbers, not {ids}, {times}, "
    "{lats} and {lons}."
)
MSG_BAD_WATCH = N_(
    "The crossing watch needs confirm_m of zero or more and forget_s above zero, not {confirm_m} "
    "and {forget_s}."
)
MSG_BAD_POINTS = N_("The benchmark needs a whole number of points, one or more, not {points}.")


class BorderError(ParidadError):
    """The border cannot answer: its data is unusable or a question about it is malformed."""


class BorderDataError(BorderError):
    """A boundary or ports-of-entry file that cannot be used; nothing is measured against it."""


class InvalidPosition(BorderError):
    """A latitude, longitude, time or track id that is missing, out of range or not a number."""
