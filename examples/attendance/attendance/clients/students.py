"""Call the students service by the operationIds of its vendored spec.

The spec is mocks/students/openapi.yaml, pinned in mocks.yaml. Locally and in tests the
spec-driven mock answers (`satchel-mock up`); `satchel-mock check` keeps the pin honest.
Send the credentials the spec's `security` names (``call(..., headers=...)``): the mock
answers 401 without them, as the real service would.
"""

from __future__ import annotations

import time

import jwt
import requests

from satchel import context
from satchel.clients import NeighbourClient
from satchel.problems import problem


class StudentsClient(NeighbourClient):
    """The students service: build it with settings.students_url and students_tenant_host."""

    neighbour = "students"

    def __init__(self, *args, token_key: str, issuer: str, **kwargs) -> None:
        """Bind the client; ``token_key`` signs the service token students verifies."""
        super().__init__(*args, **kwargs)
        self._token_key = token_key
        self._issuer = issuer

    def class_pupils(self, class_id: int) -> dict:
        """Return ``{"class": ..., "items": [pupils]}``; 404 or 502 problems otherwise."""
        try:
            response = self.call(
                "list_class_pupils",
                path={"class_id": class_id},
                headers={"Authorization": f"Bearer {self._service_token()}"},
            )
        except requests.RequestException as error:
            raise problem(
                502,
                f"The students service could not be reached for class {class_id}: {error}",
            ) from None
        if response.status_code == 404:
            raise problem(
                404, f"Class {class_id} does not exist in the students service."
            )
        if response.status_code != 200:
            raise problem(
                502,
                f"The students service answered {response.status_code} for class {class_id}.",
            )
        return response.json()

    def _service_token(self) -> str:
        # A short-lived token naming this service, for the students audience, acting for
        # the tenant of the request being served and no other: students refuses it on any
        # other school's host. A platform token exchange would issue it in production; the
        # shared key stands in for it here.
        now = int(time.time())
        tenant = context.tenant_id.get()
        claims = {
            "iss": self._issuer,
            "aud": "students",
            "sub": "service:attendance",
            "actor_type": "service",
            "tenants": [tenant] if tenant else [],
            "iat": now,
            "exp": now + 60,
        }
        return jwt.encode(claims, self._token_key, algorithm="HS256")
