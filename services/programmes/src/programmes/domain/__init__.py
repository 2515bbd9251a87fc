"""The programmes domain: pure deciders, no I/O."""
