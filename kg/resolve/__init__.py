"""Entity resolution: mentions to canonical entities."""
