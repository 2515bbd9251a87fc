"""The services' JSON APIs as the pages call them: with the user's bearer token, a refusal raised as a
`Refusal` carrying its French messages. One `httpx.AsyncClient` for the app's life (its connection pool)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from web.messages import Refusal, refusal_of

PROBLEM_JSON = "application/problem+json"


class TokenRefused(Exception):
    """A service no longer accepts the user's token (401: expired, revoked keys): they must log in again.
    Not a `Refusal`, so that no page shows it as a form's message."""


class ServiceUnavailable(Exception):
    """A service did not answer, or failed (5xx): nothing the user can fix by changing their input."""


class Api:
    def __init__(self, client: httpx.AsyncClient, base_urls: Mapping[str, str]) -> None:
        self._client = client
        self._base_urls = dict(base_urls)

    async def get(
        self,
        service: str,
        path: str,
        token: str,
        params: Mapping[str, Any] | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> Any:
        return await self.request("GET", service, path, token, params=params, fields=fields)

    async def post(
        self,
        service: str,
        path: str,
        token: str,
        json: Any = None,
        fields: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """A command. `idempotency_key`: the form's own (made when it was shown), so that a form sent twice
        (a double click, a retry after a timeout) is one command."""
        return await self.request(
            "POST", service, path, token, json=json, fields=fields, idempotency_key=idempotency_key
        )

    async def get_html(
        self, service: str, path: str, token: str, params: Mapping[str, Any] | None = None
    ) -> str:
        """A page a service renders itself (the print-ready documents), as it answered it."""
        response = await self._send("GET", service, path, token, params=params, accept="text/html")
        return response.text

    async def get_svg(
        self, service: str, path: str, token: str, params: Mapping[str, Any] | None = None
    ) -> str:
        """A chart a service draws itself (SVG), as it answered it."""
        response = await self._send("GET", service, path, token, params=params, accept="image/svg+xml")
        return response.text

    async def request(
        self,
        method: str,
        service: str,
        path: str,
        token: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        fields: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """The JSON body of a success; `fields` names, for a refusal, the form field of each API name."""
        response = await self._send(
            method,
            service,
            path,
            token,
            params=params,
            json=json,
            fields=fields,
            idempotency_key=idempotency_key,
        )
        return response.json() if response.content else None

    async def _send(
        self,
        method: str,
        service: str,
        path: str,
        token: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        fields: Mapping[str, str] | None = None,
        accept: str = "application/json",
        idempotency_key: str | None = None,
    ) -> httpx.Response:
        url = self._base_urls[service] + path
        headers = {"Authorization": f"Bearer {token}", "Accept": accept}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            response = await self._client.request(method, url, params=params, json=json, headers=headers)
        except httpx.HTTPError as error:
            raise ServiceUnavailable(f"{service}: {error!r}") from error
        if response.is_success:
            return response
        if response.status_code == 401:
            raise TokenRefused(f"{service} refused the token on {method} {path}")
        if response.is_client_error:
            problem = response.json() if response.headers.get("content-type") == PROBLEM_JSON else {}
            raise refusal_of(response.status_code, problem or {"rule": str(response.status_code)}, fields)
        raise ServiceUnavailable(f"{service} answered {response.status_code} to {method} {path}")


__all__ = ["Api", "Refusal", "ServiceUnavailable", "TokenRefused"]
