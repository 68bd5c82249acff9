"""Alerts at the line: what a watch officer on either side is told, and what crosses to the
partner's node as it happens (approach, crossing, hover, landing near the boundary)."""

from paridad.drones.alerts.rules import Alert, AlertKind, AlertRules, RulesConfig

__all__ = ["Alert", "AlertKind", "AlertRules", "RulesConfig"]
