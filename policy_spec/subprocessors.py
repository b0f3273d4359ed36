"""The subprocessor register a company keeps, and the vendor catalog detection reads.

The register is what the public subprocessor page is written from: who receives
customer data, for what, where it is processed, and which safeguard covers a
transfer out of the company's home region. The catalog says how each common
vendor shows up in a repository (packages, providers, images, hostnames,
environment variables), always as exact names, so a package that merely shares
a prefix with a vendor's SDK is never mistaken for it.
"""

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

ISO_COUNTRIES = frozenset(
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW "
    "BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI "
    "FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN "
    "IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME "
    "MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF "
    "PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE "
    "YT ZA ZM ZW".split()
)
"""ISO 3166-1 alpha-2 codes."""

EU = frozenset("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())
REGIONS: dict[str, frozenset[str]] = {"EU": EU, "EEA": EU | {"IS", "LI", "NO"}}
"""Named home regions: transfers inside them need no safeguard."""


def _country(code: str) -> str:
    upper = code.upper()
    if upper not in ISO_COUNTRIES:
        raise ValueError(f"`{code}` is not an ISO 3166-1 alpha-2 country code")
    return upper


def _region(value: str | list[str]) -> str | list[str]:
    if isinstance(value, str):
        if value.upper() in REGIONS:
            return value.upper()
        return [_country(value)]
    return [_country(code) for code in value]


Country = Annotated[str, AfterValidator(_country)]
Safeguard = Literal["adequacy", "scc", "dpf", "bcr"]
SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class _Strict(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")


class Subprocessor(_Strict):
    """One third party that receives customer data, as the public page lists it."""

    id: str = Field(pattern=SLUG, description="The vendor's catalog id (e.g. `stripe`), so detections match it.")
    name: str = Field(min_length=1, description="Legal or trading name as published.")
    purpose: str | None = Field(default=None, description="What the vendor does with the data.")
    data_categories: list[str] = Field(default_factory=list, description="Kinds of personal data it receives.")
    locations: list[Country] | None = Field(
        default=None, description="Countries where it processes the data (ISO 3166-1 alpha-2)."
    )
    safeguard: Safeguard | None = Field(
        default=None, description="Transfer mechanism for every location outside the home region."
    )
    safeguards: dict[Country, Safeguard] = Field(
        default_factory=dict, description="Transfer mechanism per country, where they differ."
    )
    dpa: str | None = Field(default=None, description="The data processing agreement: a URL or a document path.")


class SubprocessorRegister(_Strict):
    home_region: Annotated[str | list[str], AfterValidator(_region)] = Field(
        description="`EU`, `EEA`, or a list of countries: processing there is no international transfer."
    )
    subprocessors: list[Subprocessor] = Field(default_factory=list)


Category = Literal[
    "payments", "email", "sms", "messaging", "error-tracking", "logging", "monitoring", "analytics", "ai",
    "support", "crm", "marketing", "cloud", "cdn", "database", "search", "media", "auth", "advertising",
    "data-broker",
]
SELLING_CATEGORIES: tuple[Category, ...] = ("advertising", "data-broker")


class Signals(_Strict):
    """How a vendor shows up in a repository; every entry is an exact name, never a prefix."""

    pypi: list[str] = Field(default_factory=list, description="PyPI project names (compared after PEP 503).")
    npm: list[str] = Field(default_factory=list, description="npm package names, with scope.")
    go: list[str] = Field(default_factory=list, description="Go module paths without a `/vN` major suffix.")
    rubygems: list[str] = Field(default_factory=list, description="Gem names.")
    terraform: list[str] = Field(default_factory=list, description="Provider sources, `namespace/type`.")
    docker: list[str] = Field(default_factory=list, description="Image repositories without tag or digest.")
    hosts: list[str] = Field(
        default_factory=list, description="API hostnames; a host also matches its subdomains."
    )
    env: list[str] = Field(default_factory=list, description="Environment variable names.")


class Vendor(_Strict):
    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=1)
    category: Category
    country: Country | None = Field(default=None, description="Headquarters.")
    signals: Signals


class VendorCatalog(_Strict):
    vendors: list[Vendor]
