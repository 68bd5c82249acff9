"""Streaming detections into a node's drone watch: in-process by default, NATS JetStream in
production. Both buses offer the same two verbs (publish, consume in batches), so the watch,
the replay, the benchmark and the tests run unchanged on either."""

from paridad.drones.stream.bus import Bus, InProcessBus, open_bus, subject_for
from paridad.drones.stream.jetstream import JetStreamBus

__all__ = ["Bus", "InProcessBus", "JetStreamBus", "open_bus", "subject_for"]
