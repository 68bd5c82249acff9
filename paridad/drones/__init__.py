"""Drones at the border: Remote ID, sensors, tracks, crossings, alerts and hotspots."""
