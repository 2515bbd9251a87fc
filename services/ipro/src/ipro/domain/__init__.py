"""The IPRO domain: pure deciders, no I/O."""
