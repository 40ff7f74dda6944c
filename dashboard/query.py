"""Screen URL query parameters, validated once for the page route and the live connection."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

from dashboard.districts import BY_ADCODE, CITY_ADCODE, District


class BadQuery(ValueError):
    """A query parameter has a value greenwall cannot use (HTTP 400)."""

    status = 400


class UnknownDistrict(BadQuery):
    """``district=`` names no Shanghai district (HTTP 404)."""

    status = 404


FITS = ("fit", "width", "stretch")
LANGS = ("zh", "en")


@dataclass(frozen=True)
class ScreenQuery:
    district: District | None = None
    fit: str = "fit"
    lang: str = "zh"
    kiosk: bool = False

    @property
    def district_code(self) -> str | None:
        return self.district.adcode if self.district else None


def _one(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise BadQuery(f"{name}: given {len(values)} times, expected once")
    return values[0]


def parse_query(search: str | Mapping[str, list[str]]) -> ScreenQuery:
    """Parse ``?district=…&fit=…&lang=…&kiosk=1``; raises ``BadQuery``/``UnknownDistrict``."""
    params = parse_qs(search.lstrip("?"), keep_blank_values=True) if isinstance(search, str) \
        else search
    district = None
    code = _one(params, "district")
    if code not in (None, "", CITY_ADCODE):
        district = BY_ADCODE.get(code)
        if district is None:
            raise UnknownDistrict(
                f"district: unknown district {code!r} (expected one of the 16 Shanghai adcodes, "
                f"e.g. 310115 for 浦东新区, or 310000 for the whole city)"
            )
    fit = _one(params, "fit") or "fit"
    if fit not in FITS:
        raise BadQuery(f"fit: must be one of {', '.join(FITS)}, got {fit!r}")
    lang = _one(params, "lang") or "zh"
    if lang not in LANGS:
        raise BadQuery(f"lang: must be one of {', '.join(LANGS)}, got {lang!r}")
    kiosk = (_one(params, "kiosk") or "0") not in ("0", "", "false")
    return ScreenQuery(district=district, fit=fit, lang=lang, kiosk=kiosk)
