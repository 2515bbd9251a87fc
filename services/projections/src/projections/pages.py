"""What the service's print-ready pages share: one way to load their Jinja2 templates, escaping everything
(names and free text come from users), failing on a variable a template misspells."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

# What every printed document includes (`{% include "document.css" %}`): the look they share.
SHARED_TEMPLATES = Path(__file__).parent / "templates"


def environment(templates: Path, **filters: Callable[..., Any]) -> Environment:
    """An environment over the `templates` folder (and the shared one) with these filters beside Jinja's own."""
    loaded = Environment(
        loader=FileSystemLoader([templates, SHARED_TEMPLATES]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    loaded.filters.update(filters)
    return loaded
