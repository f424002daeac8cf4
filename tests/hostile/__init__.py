"""Hostile-input catalogue: inputs that must be refused fast, or done in bounded time and memory."""
