"""The consolidated person file (issue 14): a pure fold of the person's events (`fold`), the part each reader
may see (`views`), and its print-ready page (`page`)."""
