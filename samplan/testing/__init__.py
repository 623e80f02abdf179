"""Support code shared by tests (generated worlds, crawl helpers, result counters)."""
