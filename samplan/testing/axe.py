"""Totals of the axe accessibility scans in this test run, for pytest's terminal summary."""

AXE_RESULTS = {"pages": 0, "violations": 0}
