"""ipro."""
