"""The Faker locales of the broad corpus, with what each can supply in Latin script."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Locale:
    code: str
    country: str  # the country's English name, as written on an envelope from abroad
    country_local: str  # the name in the locale's language
    region: str  # phonenumbers region, to reformat national numbers internationally
    address: bool = True  # Faker writes this locale's own street addresses in Latin script
    bank: bool = True  # Faker has this locale's IBAN format
    names: str = "latin"  # "latin", or "romanized" for Faker's romanized providers


# Sources: Faker 40.x locale providers (person, address, phone_number, bank); country names in English and
# in the country's language as used on international mail.
LOCALES: tuple[Locale, ...] = (
    Locale("en_US", "United States", "USA", "US", bank=False),
    Locale("en_GB", "United Kingdom", "UK", "GB"),
    Locale("en_IN", "India", "India", "IN", bank=True),
    Locale("en_AU", "Australia", "Australia", "AU", bank=False),
    Locale("en_IE", "Ireland", "Éire", "IE"),
    Locale("en_NZ", "New Zealand", "Aotearoa", "NZ", bank=False),
    Locale("en_CA", "Canada", "Canada", "CA", bank=False),
    Locale("de_DE", "Germany", "Deutschland", "DE"),
    Locale("de_AT", "Austria", "Österreich", "AT"),
    Locale("de_CH", "Switzerland", "Schweiz", "CH"),
    Locale("fr_FR", "France", "France", "FR"),
    Locale("fr_CH", "Switzerland", "Suisse", "CH"),
    Locale("fr_CA", "Canada", "Canada", "CA", bank=False),
    Locale("es_ES", "Spain", "España", "ES"),
    Locale("es_MX", "Mexico", "México", "MX", bank=False),
    Locale("es_CO", "Colombia", "Colombia", "CO", bank=False),
    Locale("it_IT", "Italy", "Italia", "IT"),
    Locale("nl_NL", "Netherlands", "Nederland", "NL"),
    Locale("nl_BE", "Belgium", "België", "BE"),
    Locale("pt_BR", "Brazil", "Brasil", "BR"),
    Locale("pt_PT", "Portugal", "Portugal", "PT"),
    Locale("pl_PL", "Poland", "Polska", "PL"),
    Locale("sv_SE", "Sweden", "Sverige", "SE", bank=False),
    Locale("da_DK", "Denmark", "Danmark", "DK"),
    Locale("no_NO", "Norway", "Norge", "NO"),
    Locale("fi_FI", "Finland", "Suomi", "FI"),
    Locale("hu_HU", "Hungary", "Magyarország", "HU", bank=False),
    Locale("cs_CZ", "Czech Republic", "Česko", "CZ"),
    Locale("sk_SK", "Slovakia", "Slovensko", "SK"),
    Locale("ro_RO", "Romania", "România", "RO"),
    Locale("tr_TR", "Turkey", "Türkiye", "TR", address=False),
    Locale("hr_HR", "Croatia", "Hrvatska", "HR", bank=False),
    Locale("sl_SI", "Slovenia", "Slovenija", "SI", bank=False),
    Locale("id_ID", "Indonesia", "Indonesia", "ID", bank=False),
    Locale("ja_JP", "Japan", "Japan", "JP", address=False, bank=False, names="romanized"),
    Locale("zh_CN", "China", "China", "CN", address=False, bank=False, names="romanized"),
)

BY_CODE = {loc.code: loc for loc in LOCALES}
