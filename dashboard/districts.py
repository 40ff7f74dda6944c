"""The 16 districts of Shanghai (上海市辖区): adcode, Chinese and English names.

Reference data that never changes at run time; boundaries live in ``dashboard/data``.
"""

from __future__ import annotations

from dataclasses import dataclass

CITY_ADCODE = "310000"


@dataclass(frozen=True)
class District:
    adcode: str
    name: str
    name_en: str


DISTRICTS: tuple[District, ...] = (
    District("310101", "黄浦区", "Huangpu"),
    District("310104", "徐汇区", "Xuhui"),
    District("310105", "长宁区", "Changning"),
    District("310106", "静安区", "Jing'an"),
    District("310107", "普陀区", "Putuo"),
    District("310109", "虹口区", "Hongkou"),
    District("310110", "杨浦区", "Yangpu"),
    District("310112", "闵行区", "Minhang"),
    District("310113", "宝山区", "Baoshan"),
    District("310114", "嘉定区", "Jiading"),
    District("310115", "浦东新区", "Pudong"),
    District("310116", "金山区", "Jinshan"),
    District("310117", "松江区", "Songjiang"),
    District("310118", "青浦区", "Qingpu"),
    District("310120", "奉贤区", "Fengxian"),
    District("310151", "崇明区", "Chongming"),
)

BY_ADCODE: dict[str, District] = {d.adcode: d for d in DISTRICTS}
BY_NAME: dict[str, District] = {d.name: d for d in DISTRICTS}


def resolve_district(value: str) -> District:
    """A district from its 6-digit adcode or exact Chinese name; ``KeyError`` if unknown."""
    value = value.strip()
    district = BY_ADCODE.get(value) or BY_NAME.get(value)
    if district is None:
        raise KeyError(value)
    return district
