import httpx
import pytest

from web.api import Api, ServiceUnavailable
from web.messages import Refusal

from .conftest import problem


def api_answering(handler) -> Api:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return Api(client, {"projections": "http://projections"})


async def test_a_call_carries_the_users_token_and_returns_the_json():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"items": []})

    body = await api_answering(handler).get("projections", "/queues/mine", "the-token", params={"a": 1})

    assert body == {"items": []}
    assert str(seen[0].url) == "http://projections/queues/mine?a=1"
    assert seen[0].headers["Authorization"] == "Bearer the-token"


async def test_a_problem_becomes_a_refusal_with_the_field_message():
    def handler(request):
        return problem(
            422,
            "request-validation",
            errors=[{"field": "query.within_days", "type": "greater_than_equal", "message": "…"}],
        )

    with pytest.raises(Refusal) as refused:
        await api_answering(handler).get("projections", "/queues/mine", "t", fields={"within_days": "dans"})

    assert refused.value.messages == {"dans": "La valeur est trop petite."}


async def test_a_failing_service_is_unavailable_not_a_refusal():
    with pytest.raises(ServiceUnavailable):
        await api_answering(lambda request: httpx.Response(500)).get("projections", "/x", "t")
