"""The establishment's schedule with its cross-service conflicts (issue 15, items 1 and 2)."""
