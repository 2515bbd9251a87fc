"""The catalogue shipped as reference data (the source document's five programmes and ten actions)."""
