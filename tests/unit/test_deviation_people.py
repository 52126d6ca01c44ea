"""Who hears of a deviation: the avtaleforvalter from the contract's manager field (an e-mail
or a name), and the contract owner (the director of the contract's service area)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.domain.contracts import Contract
from bot.core.services.deviation_filing import contract_manager, contract_owner
from integrations.directory.yaml_directory import YamlDirectory

pytestmark = pytest.mark.unit


def _contract(manager: str, area: str) -> Contract:
    return Contract(
        number="AV-1",
        title="Kontorrekvisita",
        supplier="Kontorland AS",
        org_number="974760673",
        start_date=date(2024, 1, 1),
        end_date=date(2027, 1, 1),
        manager_email=manager,
        service_area=area,
    )


async def test_the_manager_by_email_or_name_and_the_owner_by_area_id_or_name() -> None:
    directory = YamlDirectory.demo()
    by_email = await contract_manager(
        directory, _contract("Lise.Johansen@lillestrom.kommune.no", "oppvekst")
    )
    assert by_email is not None and by_email.id == "aad-lise"
    by_name = await contract_manager(directory, _contract("Åse Lie", "helse"))
    assert by_name is not None and by_name.id == "aad-aase"
    assert await contract_manager(directory, _contract("ukjent@x.no", "oppvekst")) is None
    assert await contract_manager(directory, _contract("lise", "oppvekst")) is None  # not exact
    assert await contract_manager(directory, None) is None
    owner = await contract_owner(directory, _contract("", "oppvekst"))
    assert owner is not None and owner.id == "aad-ingrid"
    by_area_name = await contract_owner(directory, _contract("", "Helse og velferd"))
    assert by_area_name is not None and by_area_name.id == "aad-bjorn"
    assert await contract_owner(directory, _contract("", "Teknisk")) is None
