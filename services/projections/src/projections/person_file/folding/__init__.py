"""The person file's fold, by service: what each event does to the state read so far (`state`), one module of
handlers per service, and the file built from the state at the end (`built`)."""

from projections.person_file.folding import assessment, ipro, partners, programmes
from projections.person_file.folding.state import Apply

# Event types are named after their service, so the four tables never share a key.
APPLY: dict[str, Apply] = {**assessment.APPLY, **programmes.APPLY, **ipro.APPLY, **partners.APPLY}
