"""Issue 13 #16: every instant a service answers with is in one form, the establishment's local time with
its offset, whether it was written in UTC by the database or with another offset by a client."""

import json

from kernel.instants import LocalTimeJSONResponse, in_local_time


def test_instants_from_the_database_and_from_clients_answer_in_one_form():
    body = {
        "from_a_row": "2026-12-03T13:00:00Z",
        "from_a_client": "2026-12-03T08:00:00-05:00",
        "already_local": "2026-07-01T14:30:00+02:00",
        "nested": [{"ends_at": "2026-12-03T15:00:00.250000+00:00"}],
    }
    assert in_local_time(body) == {
        "from_a_row": "2026-12-03T14:00:00+01:00",
        "from_a_client": "2026-12-03T14:00:00+01:00",
        "already_local": "2026-07-01T14:30:00+02:00",
        "nested": [{"ends_at": "2026-12-03T16:00:00.250000+01:00"}],
    }


def test_dates_times_of_day_and_texts_are_left_as_they_are():
    body = {
        "day": "2026-12-03",
        "at": "14:00:00",
        "note": "rendez-vous le 2026-12-03T14:00Z à confirmer",
        "n": 3,
    }
    assert in_local_time(body) == body


def test_the_response_renders_in_local_time():
    assert json.loads(LocalTimeJSONResponse({"at": "2026-12-03T13:00:00Z"}).body) == {
        "at": "2026-12-03T14:00:00+01:00"
    }
