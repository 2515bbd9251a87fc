"""Issue 13 #16: every instant a service answers with is in one form, the establishment's local time with
its offset, whether it was written in UTC by the database or with another offset by a client."""

import json
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from kernel.http import PolicyRoute
from kernel.instants import LocalTimeJSONResponse, localise


def _localised(content) -> object:
    return json.loads(localise(json.dumps(content, ensure_ascii=False).encode()))


def test_instants_from_the_database_and_from_clients_answer_in_one_form():
    body = {
        "from_a_row": "2026-12-03T13:00:00Z",
        "from_a_client": "2026-12-03T08:00:00-05:00",
        "already_local": "2026-07-01T14:30:00+02:00",
        "nested": [{"ends_at": "2026-12-03T15:00:00.250000+00:00"}, "2026-12-03T15:00Z"],
    }
    assert _localised(body) == {
        "from_a_row": "2026-12-03T14:00:00+01:00",
        "from_a_client": "2026-12-03T14:00:00+01:00",
        "already_local": "2026-07-01T14:30:00+02:00",
        "nested": [{"ends_at": "2026-12-03T16:00:00.250000+01:00"}, "2026-12-03T16:00:00+01:00"],
    }


def test_dates_times_of_day_texts_and_keys_are_left_as_they_are():
    body = {
        "day": "2026-12-03",
        "at": "14:00:00",
        "note": "rendez-vous le 2026-12-03T14:00Z à confirmer",
        "quoted": 'il a écrit "2026-12-03T14:00Z"',
        "ends_with": 'le "2026-12-03T14:00Z',
        "2026-12-03T13:00:00Z": "a key stays a key",
        "n": 3,
    }
    assert _localised(body) == body


def test_the_response_renders_in_local_time():
    assert json.loads(LocalTimeJSONResponse({"at": "2026-12-03T13:00:00Z"}).body) == {
        "at": "2026-12-03T14:00:00+01:00"
    }


class Slot(BaseModel):
    starts_at: datetime


def test_a_route_answers_in_local_time_with_its_model_or_without():
    """Routes render with pydantic's own serialiser (a response model) or json (a dict): both localised, and
    the length announced is the body's."""
    app = FastAPI()
    app.router.route_class = PolicyRoute
    at = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)

    @app.get("/modelled", response_model=Slot)
    async def modelled() -> Slot:
        return Slot(starts_at=at)

    @app.get("/plain")
    async def plain() -> dict:
        return {"starts_at": at.isoformat()}

    client = TestClient(app)
    for path in ("/modelled", "/plain"):
        response = client.get(path)
        assert response.json() == {"starts_at": "2026-12-03T14:00:00+01:00"}, path
        assert int(response.headers["content-length"]) == len(response.content)


def test_every_instant_reads_as_its_own_conversion_across_the_changes_of_offset():
    """Instants of one hour share their conversion (kernel.instants): around both changes of offset, at
    offsets a whole number of hours away and not, with and without seconds or microseconds, each reads as
    converting it alone would."""
    from datetime import timedelta

    from kernel.clock import LOCAL_TIME_ZONE

    written = []
    for day in (datetime(2026, 3, 28, tzinfo=UTC), datetime(2026, 10, 24, tzinfo=UTC)):
        for step in range(0, 3 * 24 * 60, 7):
            instant = day + timedelta(minutes=step, seconds=step % 60)
            written += [instant.isoformat(), instant.isoformat().replace("+00:00", "Z")]
            written += [instant.astimezone(LOCAL_TIME_ZONE).isoformat()]
    written += [
        "2026-03-29T00:59:59.999999Z",
        "2026-03-29T01:00:00.000001Z",
        "2026-10-25T02:30:00+02:00",
        "2026-10-25T02:30:00+01:00",
        "2026-12-03T08:00:00+05:30",
        "2026-12-03T08:00:00-03:30",
        "2026-12-03T08:00:00.5Z",
        "2026-12-03T08:00:00.000000Z",
        "2026-12-03T08:00Z",
        "1900-01-01T12:00:00Z",  # Paris then kept its own mean time, nine minutes from UTC
    ]
    expected = [datetime.fromisoformat(w).astimezone(LOCAL_TIME_ZONE).isoformat() for w in written]
    assert _localised(written) == expected
    assert _localised(written) == expected  # a second time, from the hours kept
