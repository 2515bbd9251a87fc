"""Pure domain code of the partners service: no I/O, no framework."""
