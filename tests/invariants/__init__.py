"""Invariants of the engine under random timing, random faults and every scenario."""
