"""Policy: agreements between nodes and (to come) the release gate that enforces them."""
