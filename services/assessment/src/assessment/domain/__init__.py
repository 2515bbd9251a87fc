"""Pure domain code of the assessment service: no I/O, no framework."""
