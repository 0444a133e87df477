"""Document types. Each is one module exposing NAME, SIDES, HUAWEI_FIELDS,
HUAWEI_VERIFICATION, classify_side, read(card, side, engine, optional) and portrait_quad;
`optional` names the OPTIONAL_FIELDS the request asked for, so a costly optional field is
read only when wanted. Adding a document adds one module and one line to REGISTRY."""

from __future__ import annotations

from types import ModuleType

from . import cn_id_card, driver_license, hk_id_card

REGISTRY: dict[str, ModuleType] = {
    cn_id_card.NAME: cn_id_card,
    hk_id_card.NAME: hk_id_card,
    driver_license.NAME: driver_license,
}
