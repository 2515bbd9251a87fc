"""Makes test modules importable under unique names (pytest importlib mode); code lives in src/."""
