"""Reference data: the source document's five programmes and ten thematic actions, created at start-up
when missing. Figures the document does not give (session counts, group sizes, thresholds) are in
`reference/catalogue.json`; a site sets its own with PROGRAMMES_CATALOGUE_FILE. An entry already in the
catalogue is left as it is: changes go through revisions, which keep its history."""

from __future__ import annotations

import json
from pathlib import Path

from contracts import Actor
from contracts.programmes import ProgrammeDefinition
from kernel import logs
from kernel.errors import AlreadyExists, ConcurrencyConflict
from kernel.eventstore import EventStore, Metadata
from programmes import handlers
from programmes.domain.commands import CreateProgramme
from programmes.settings import ProgrammesSettings

log = logs.get_logger(__name__)

SEED = Actor(subject="programmes-reference-data", role="system")
SHIPPED = Path(__file__).parent / "reference" / "catalogue.json"


def programme_id(code: str) -> str:
    return f"programme-{code.lower()}"


def definitions(path: Path) -> list[ProgrammeDefinition]:
    return [ProgrammeDefinition.model_validate(entry) for entry in json.loads(path.read_text())]


async def seed_catalogue(settings: ProgrammesSettings, store: EventStore) -> None:
    created = 0
    for definition in definitions(settings.catalogue_file or SHIPPED):
        stream_id = programme_id(definition.code)
        if await store.read_stream(stream_id):
            continue
        try:
            async with store.transaction() as session:
                await handlers.create_programme(
                    session,
                    CreateProgramme(programme_id=stream_id, definition=definition),
                    Metadata(actor=SEED),
                )
            created += 1
        except (ConcurrencyConflict, AlreadyExists):
            pass  # another instance seeded it first, or the code is taken by an entry created by hand
    log.info("catalogue reference data", created=created)
