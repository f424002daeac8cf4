"""Golden trace summaries: one stored summary per scenario, checked by test_golden."""
