"""The Directory port over Microsoft Graph (Entra ID), through the real msgraph-sdk.

People, managers and procurement membership come from Graph; service areas, stand-ins and the
procurement channel have no home in Entra, so they come from the YAML directory passed as
`static` (composed, not duplicated). A person's service area is the one the YAML gives them,
else the area whose name or id equals their Graph `department`.

`Person.manager_id` stays None here: Graph returns the manager from a separate call, which the
tenant may refuse (below). Ask `manager_of`.

Manager lookups: Microsoft's current permission table lists application permissions as "not
supported" for `GET /users/{id}/manager` (platform.md §5.5). When the tenant refuses it (403
Authorization_RequestDenied) we raise `Unavailable("directory.manager_forbidden")` and log how
to fall back: `DIRECTORY__SOURCE=yaml` with an org chart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import httpx
from kiota_abstractions.api_error import APIError
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphServiceClient
from msgraph.generated.models.user import User

from bot.core.domain.directory import (
    Person,
    ProcurementChannel,
    ServiceArea,
    StandIn,
    fold,
    rank_people,
)
from bot.core.domain.errors import NotFound, Unavailable
from bot.settings import GraphSettings
from integrations.directory.yaml_directory import YamlDirectory
from integrations.graph.client import graph_error_code, translate_graph_error

log = logging.getLogger(__name__)

USER_FIELDS = [
    "id",
    "displayName",
    "mail",
    "userPrincipalName",
    "userType",
    "department",
    "preferredLanguage",
]
CACHE_SECONDS = 300.0
_MEMBERS = "procurement-members"

T = TypeVar("T")


class TtlCache(Generic[T]):
    """A small in-memory cache; entries expire `ttl` seconds after they were stored."""

    def __init__(self, ttl: float, *, now: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._now = now
        self._entries: dict[str, tuple[float, T]] = {}

    def get(self, key: str) -> tuple[bool, T | None]:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self._now():
            self._entries.pop(key, None)
            return False, None
        return True, entry[1]

    def put(self, key: str, value: T) -> None:
        self._entries[key] = (self._now() + self._ttl, value)

    def clear(self) -> None:
        self._entries.clear()


def _escape(value: str) -> str:
    """An OData string literal's content: a single quote is doubled."""
    return value.replace("'", "''")


class GraphDirectory:
    """Directory over Graph; the YAML `static` directory supplies what Entra does not hold."""

    def __init__(
        self,
        client: GraphServiceClient,
        settings: GraphSettings,
        *,
        static: YamlDirectory,
        cache_seconds: float = CACHE_SECONDS,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._settings = settings
        self._static = static
        self._people: TtlCache[Person | None] = TtlCache(cache_seconds, now=now)
        self._managers: TtlCache[Person | None] = TtlCache(cache_seconds, now=now)
        self._members: TtlCache[frozenset[str]] = TtlCache(cache_seconds, now=now)

    # People

    async def get_person(self, person_id: str) -> Person | None:
        hit, cached = self._people.get(person_id)
        if hit:
            return cached
        # request builders are imported where used: msgraph's generated modules emit
        # DeprecationWarnings when imported, and cost seconds at startup (platform.md §7.2.2)
        from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder

        config = RequestConfiguration(
            query_parameters=UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(
                select=USER_FIELDS
            )
        )
        try:
            user = await self._client.users.by_user_id(person_id).get(request_configuration=config)
        except APIError as error:
            if error.response_status_code in (400, 404):  # 400: not an object id at all
                self._people.put(person_id, None)
                return None
            raise translate_graph_error(error, action="get user") from error
        except httpx.HTTPError as error:
            raise self._unreachable(error) from error
        person = await self._to_person(user) if user is not None else None
        self._people.put(person_id, person)
        return person

    async def find_people(self, query: str, *, limit: int = 5) -> list[Person]:
        text = " ".join(query.split())
        if not text or limit <= 0:
            return []
        literal = _escape(text)
        fields = ("displayName", "givenName", "surname", "mail", "userPrincipalName")
        from msgraph.generated.users.users_request_builder import UsersRequestBuilder

        config = RequestConfiguration(
            query_parameters=UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
                filter=" or ".join(f"startswith({field},'{literal}')" for field in fields),
                select=USER_FIELDS,
                top=max(limit * 4, 25),
            )
        )
        try:
            page = await self._client.users.get(request_configuration=config)
        except APIError as error:
            raise translate_graph_error(error, action="search users") from error
        except httpx.HTTPError as error:
            raise self._unreachable(error) from error
        users = [u for u in (page.value if page and page.value else []) if u.id]
        people = [await self._to_person(user) for user in users]
        for person in people:
            self._people.put(person.id, person)
        return rank_people(text, people, limit=limit)

    async def manager_of(self, person_id: str) -> Person | None:
        hit, cached = self._managers.get(person_id)
        if hit:
            return cached
        from msgraph.generated.users.item.manager.manager_request_builder import (
            ManagerRequestBuilder,
        )

        config = RequestConfiguration(
            query_parameters=ManagerRequestBuilder.ManagerRequestBuilderGetQueryParameters(
                select=USER_FIELDS
            )
        )
        try:
            found = await self._client.users.by_user_id(person_id).manager.get(
                request_configuration=config
            )
        except APIError as error:
            if error.response_status_code in (400, 404):  # no manager set, or no such user
                self._managers.put(person_id, None)
                return None
            if error.response_status_code == 403:
                log.error(
                    "Graph refused GET /users/{id}/manager (403 %s): this tenant does not allow "
                    "app-only manager lookups. Grant the permission, or set "
                    "DIRECTORY__SOURCE=yaml with an org chart in DIRECTORY__YAML_PATH "
                    "(docs: platform.md §5.5).",
                    graph_error_code(error) or "Forbidden",
                )
                raise Unavailable(
                    f"manager lookup forbidden for {person_id}",
                    message_key="directory.manager_forbidden",
                ) from error
            raise translate_graph_error(error, action="get manager") from error
        except httpx.HTTPError as error:
            raise self._unreachable(error) from error
        manager: Person | None = None
        if isinstance(found, User) and found.id:
            manager = await self._to_person(found)
            self._people.put(manager.id, manager)
        elif found is not None:
            # an orgContact (an external contact in the address book) cannot approve in Teams
            log.warning("the manager of %s is not a user (%s)", person_id, found.odata_type)
        self._managers.put(person_id, manager)
        return manager

    async def is_procurement_member(self, person_id: str) -> bool:
        if not self._settings.procurement_group_id:
            return await self._static.is_procurement_member(person_id)
        return person_id in await self._procurement_members()

    async def _procurement_members(self) -> frozenset[str]:
        hit, cached = self._members.get(_MEMBERS)
        if hit and cached is not None:
            return cached
        from msgraph.generated.groups.item.members.members_request_builder import (
            MembersRequestBuilder,
        )

        group = self._client.groups.by_group_id(self._settings.procurement_group_id)
        config = RequestConfiguration(
            query_parameters=MembersRequestBuilder.MembersRequestBuilderGetQueryParameters(
                select=["id"], top=999
            )
        )
        ids: set[str] = set()
        try:
            page = await group.members.get(request_configuration=config)
            while page is not None:
                ids.update(member.id for member in page.value or [] if member.id)
                if not page.odata_next_link:
                    break
                page = await group.members.with_url(page.odata_next_link).get()
        except APIError as error:
            translated = translate_graph_error(error, action="list procurement group members")
            if isinstance(translated, NotFound):  # a wrong group id is a configuration error
                translated = Unavailable(translated.detail, message_key="directory.unavailable")
            raise translated from error
        except httpx.HTTPError as error:
            raise self._unreachable(error) from error
        members = frozenset(ids)
        self._members.put(_MEMBERS, members)
        return members

    # From the static YAML

    async def service_areas(self) -> list[ServiceArea]:
        return await self._static.service_areas()

    async def service_area(self, area_id: str) -> ServiceArea | None:
        return await self._static.service_area(area_id)

    async def procurement_channel(self) -> ProcurementChannel | None:
        return await self._static.procurement_channel()

    async def stand_ins_for(self, person_id: str) -> list[StandIn]:
        return await self._static.stand_ins_for(person_id)

    # Mapping

    async def _to_person(self, user: User) -> Person:
        person_id = str(user.id)
        department = user.department or ""
        return Person(
            id=person_id,
            name=user.display_name or user.user_principal_name or person_id,
            email=user.mail or user.user_principal_name or "",
            manager_id=None,
            service_area=await self._area_of(person_id, department),
            unit=department,
            is_guest=(user.user_type or "").casefold() == "guest",
            in_procurement=await self.is_procurement_member(person_id),
            locale=user.preferred_language or "nb-NO",
        )

    async def _area_of(self, person_id: str, department: str) -> str | None:
        known = self._static.person_sync(person_id)
        if known is not None and known.service_area is not None:
            return known.service_area
        wanted = fold(department)
        if not wanted:
            return None
        for area in await self._static.service_areas():
            if wanted in (fold(area.name), fold(area.id)):
                return area.id
        return None

    @staticmethod
    def _unreachable(error: Any) -> Unavailable:
        log.warning("graph unreachable: %s", error)
        return Unavailable(f"graph unreachable: {error}", message_key="directory.unavailable")
