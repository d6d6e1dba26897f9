"""Values of the fresh held-out corpus: its own locale table and generators, written apart from values.py.

Names, streets, cities and some phone numbers and IBANs are Faker's; card numbers, IBANs, US SSNs and the other
phone numbers are generated here from documented formats (IIN ranges, the IBAN registry's BBAN layouts, the SSA's
SSN rules, libphonenumber's metadata), each checked as it is made.
"""

from __future__ import annotations

import ipaddress
import random
import re
import string
import unicodedata
from dataclasses import dataclass

import phonenumbers
from faker import Faker


@dataclass(frozen=True)
class FreshLocale:
    code: str
    countries: tuple[str, ...]  # the country's names: English first, then local ones
    region: str  # ISO country: phonenumbers region and IBAN country
    places: bool  # Faker writes this country's own streets and cities in Latin script
    faker_phone: bool  # Faker's phone provider is this country's own
    iban: bool  # the country's banks use IBANs
    faker_bank: bool = False  # Faker's bank provider writes this country's IBANs


# Faker 40.63 providers checked per locale: person (all), address and phone_number where marked; every name and
# place checked to be Latin script. Locales whose Faker person provider has no first names of its own (de_LI,
# de_LU, vi_VN) take first_name_male/female, which they do have.
LOCALES: tuple[FreshLocale, ...] = (
    FreshLocale("en_US", ("United States", "USA", "United States of America"), "US", True, True, False),
    FreshLocale("en_GB", ("United Kingdom", "UK"), "GB", True, True, True, True),
    FreshLocale("de_DE", ("Germany", "Deutschland"), "DE", True, True, True, True),
    FreshLocale("fr_FR", ("France",), "FR", True, True, True, True),
    FreshLocale("es_ES", ("Spain", "España"), "ES", True, True, True, True),
    FreshLocale("it_IT", ("Italy", "Italia"), "IT", True, True, True, True),
    FreshLocale("nl_NL", ("Netherlands", "Nederland"), "NL", True, True, True, True),
    FreshLocale("pt_BR", ("Brazil", "Brasil"), "BR", True, True, True, True),
    FreshLocale("pl_PL", ("Poland", "Polska"), "PL", True, True, True, True),
    FreshLocale("sv_SE", ("Sweden", "Sverige"), "SE", True, True, True),
    # Not in locales.py:
    FreshLocale("es_AR", ("Argentina",), "AR", True, True, False),
    FreshLocale("es_CL", ("Chile",), "CL", True, True, False),
    FreshLocale("vi_VN", ("Vietnam", "Việt Nam"), "VN", True, True, False),
    FreshLocale("en_PH", ("Philippines", "Pilipinas"), "PH", True, False, False),
    FreshLocale("az_AZ", ("Azerbaijan", "Azərbaycan"), "AZ", True, True, True, True),
    FreshLocale("zu_ZA", ("South Africa", "iNingizimu Afrika"), "ZA", True, False, False),
    FreshLocale("fr_DZ", ("Algeria", "Algérie"), "DZ", True, True, False),
    FreshLocale("lv_LV", ("Latvia", "Latvija"), "LV", False, True, True),
    FreshLocale("lt_LT", ("Lithuania", "Lietuva"), "LT", False, True, True),
    FreshLocale("et_EE", ("Estonia", "Eesti"), "EE", False, False, True),
    FreshLocale("is_IS", ("Iceland", "Ísland"), "IS", False, False, True),
    FreshLocale("ga_IE", ("Ireland", "Éire"), "IE", False, False, True),
    FreshLocale("fr_BE", ("Belgium", "Belgique"), "BE", False, False, True),
    FreshLocale("de_LI", ("Liechtenstein",), "LI", False, True, True),
    FreshLocale("de_LU", ("Luxembourg", "Lëtzebuerg"), "LU", False, True, True),
    FreshLocale("en_KE", ("Kenya",), "KE", False, False, False),
    FreshLocale("en_NG", ("Nigeria",), "NG", False, False, False),
)
BY_CODE = {loc.code: loc for loc in LOCALES}
PLACE_LOCALES = tuple(loc for loc in LOCALES if loc.places)
NEW_LOCALES = (
    "es_AR",
    "es_CL",
    "vi_VN",
    "en_PH",
    "az_AZ",
    "zu_ZA",
    "fr_DZ",
    "lv_LV",
    "lt_LT",
    "et_EE",
    "is_IS",
    "ga_IE",
    "fr_BE",
    "de_LI",
    "de_LU",
    "en_KE",
    "en_NG",
)

# Card networks: (name shown in text or "", IIN ranges, lengths). From the networks' published IIN ranges.
NETWORKS: tuple[tuple[str, str, tuple[tuple[int, int], ...], tuple[int, ...]], ...] = (
    ("visa", "Visa", ((4, 4),), (13, 16, 19)),
    ("mastercard", "Mastercard", ((51, 55), (2221, 2720)), (16,)),
    ("amex", "Amex", ((34, 34), (37, 37)), (15,)),
    ("discover", "Discover", ((6011, 6011), (644, 649), (65, 65)), (16, 19)),
    ("diners", "Diners Club", ((300, 305), (36, 36), (38, 39)), (14, 16)),
    ("jcb", "JCB", ((3528, 3589),), (16, 17, 18, 19)),
    (
        "maestro",
        "Maestro",
        ((5018, 5018), (5020, 5020), (5038, 5038), (6304, 6304), (6759, 6763)),
        tuple(range(12, 20)),
    ),
    ("unionpay", "UnionPay", ((62, 62),), (16, 17, 18, 19)),
    ("mir", "", ((2200, 2204),), (16,)),
    ("rupay", "RuPay", ((60, 60), (6521, 6522)), (16,)),
    ("troy", "", ((9792, 9792),), (16,)),
    ("verve", "", ((506099, 506198),), (16, 19)),
    ("uatp", "UATP", ((1, 1),), (15,)),
    ("dankort", "Dankort", ((5019, 5019),), (16,)),
)

# IBAN registry BBAN layouts: n digits, a capital letters, c letters or digits.
IBAN_LAYOUTS = {
    "DE": "18n",
    "GB": "4a14n",
    "FR": "10n11c2n",
    "ES": "20n",
    "IT": "1a10n12c",
    "NL": "4a10n",
    "PL": "24n",
    "BR": "23n1a1c",
    "SE": "20n",
    "BE": "12n",
    "LU": "3n13c",
    "LI": "5n12c",
    "LV": "4a13c",
    "LT": "16n",
    "EE": "16n",
    "IS": "22n",
    "IE": "4a14n",
    "AZ": "4a20c",
    "AT": "16n",
    "CH": "5n12c",
    "DK": "14n",
    "FI": "14n",
    "NO": "11n",
    "CZ": "20n",
    "PT": "21n",
}
IBAN_LENGTHS = {"DE": 22, "GB": 22, "FR": 27, "ES": 24, "IT": 27, "NL": 18, "PL": 28, "BR": 29, "SE": 24, "BE": 16,
                "LU": 20, "LI": 21, "LV": 21, "LT": 20, "EE": 20, "IS": 26, "IE": 22, "AZ": 28, "AT": 20, "CH": 21,
                "DK": 18, "FI": 18, "NO": 15, "CZ": 24, "PT": 25}  # fmt: skip
ABROAD_BANKS = ("DE", "GB", "FR", "ES", "NL", "CH", "AT", "IE", "PT", "LU", "BE", "DK")

# Family-name particles and joins written per language.
PARTICLES = {
    "nl": ("van", "van der", "van den", "de", "ter"),
    "de": ("von", "von der", "vom"),
    "fr": ("de", "du", "de la", "Le"),
    "es": ("de la", "del", "de"),
    "it": ("De", "Di", "Della", "Lo"),
    "pt": ("da", "dos", "de"),
}
HYPHENATING = ("de_DE", "fr_FR", "fr_BE", "pl_PL", "sv_SE", "en_GB", "nl_NL", "de_LU", "de_LI")
# Letters NFKD does not take apart, folded for e-mail local parts (\u0131 is the dotless i).
FOLD = str.maketrans(
    {"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "þ": "th", "Þ": "Th", "ð": "d",
     "Ð": "D", "ł": "l", "Ł": "L", "ə": "e", "Ə": "E", "\u0131": "i", "œ": "oe"}
)  # fmt: skip
VI_CITY_PREFIX = re.compile(r"^(thành phố|Thành phố|TP\.|tỉnh|Tỉnh)\s+")


def latin(text: str) -> bool:
    """True when every letter is Latin script (ordinal indicators and the like count as Latin)."""
    return all(not c.isalpha() or "LATIN" in unicodedata.name(c, "") or c in "ªº" for c in text)


def luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def luhn_ok(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    return len(digits) > 1 and luhn_digit(digits[:-1]) == digits[-1]


def iban_ok(iban: str) -> bool:
    compact = iban.replace(" ", "").replace("-", "")
    moved = compact[4:] + compact[:4]
    return compact[:2].isalpha() and int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def iban_check_digits(country: str, bban: str) -> str:
    moved = bban + country + "00"
    return f"{98 - int(''.join(str(int(c, 36)) for c in moved)) % 97:02d}"


def ssn_ok(value: str) -> bool:
    if not re.fullmatch(r"\d{3}([- ]?)\d{2}\1\d{4}", value):
        return False
    digits = re.sub(r"\D", "", value)
    area, group, serial = int(digits[:3]), int(digits[3:5]), int(digits[5:])
    return 0 < area < 900 and area != 666 and group > 0 and serial > 0


def ascii_fold(text: str) -> str:
    text = text.translate(FOLD)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


class NoPlaces(Exception):
    """This locale's Faker has no streets or cities of its own country."""


@dataclass
class Person:
    given: str
    family: str
    initial: str  # a middle initial
    middle: str = ""  # a Vietnamese middle name
    family_first: bool = False  # the locale writes family name first by default

    @property
    def full(self) -> str:
        if self.family_first:
            return " ".join(x for x in (self.family, self.middle, self.given) if x)
        return f"{self.given} {self.family}"


class FreshValues:
    """The values of one sample in one locale; reseed before each sample."""

    def __init__(self, locale: FreshLocale) -> None:
        self.locale = locale
        self.fake = Faker(locale.code)
        for provider in self.fake.providers:
            # it_IT builds its city list from a set, whose order follows PYTHONHASHSEED.
            if isinstance(getattr(provider, "cities", None), list):
                provider.cities = sorted(provider.cities)
        self.rng = random.Random(0)
        self._others: dict[str, FreshValues] = {}
        self._bank_fakes: dict[str, Faker] = {}
        self._o_names: tuple[str, ...] | None = None

    def reseed(self, seed: int) -> FreshValues:
        self.fake.seed_instance(seed)
        self.rng.seed(seed)
        return self

    @property
    def lang(self) -> str:
        return self.locale.code[:2]

    # People
    def _given(self) -> str:
        fn = self.fake.first_name_female if self.rng.random() < 0.5 else self.fake.first_name_male
        return str(fn()).strip()

    def _family(self) -> str:
        family = str(self.fake.last_name()).strip()
        code, roll = self.locale.code, self.rng.random()
        if code.startswith("es_") and roll < 0.45:
            return f"{family} {str(self.fake.last_name()).strip()}"
        if code in HYPHENATING and roll < 0.12:
            other = str(self.fake.last_name()).strip()
            if " " not in family + other and other != family:
                return f"{family}-{other}"
        if self.lang in PARTICLES and roll > 0.9 and family[:1].isupper() and " " not in family:
            return f"{self.rng.choice(PARTICLES[self.lang])} {family}"
        if code in ("en_GB", "en_US") and roll > 0.94:
            return self.rng.choice(self._o_surnames())
        return family

    def _o_surnames(self) -> tuple[str, ...]:
        """Faker en_GB's O' surnames, read once from its list."""
        if self._o_names is None:
            gb = Faker("en_GB")
            names = {n for p in gb.providers for n in getattr(p, "last_names", ()) if str(n).startswith("O'")}
            self._o_names = tuple(sorted(names)) or ("O'Brien",)
        return self._o_names

    def person(self) -> Person:
        if self.locale.code == "vi_VN":
            return Person(
                self._given(), str(self.fake.last_name()), self._initial(), str(self.fake.middle_name()), True
            )
        return Person(self._given(), self._family(), self._initial())

    def _initial(self) -> str:
        return self.rng.choice("ABCDEFGHJKLMNPRSTW")

    def name(self, p: Person | None = None) -> str:
        """A full name in the forms people write: plain, with a middle initial or two given names."""
        p = p or self.person()
        roll = self.rng.random()
        mi_share = 0.35 if self.locale.code in ("en_US", "en_PH") else 0.1
        if p.family_first:
            return p.full if roll < 0.75 else f"{p.given} {p.family}"
        if roll < mi_share:
            return f"{p.given} {p.initial}. {p.family}"
        if roll < mi_share + 0.08:
            return f"{p.given} {self._given()} {p.family}"
        return p.full

    def name_family_first(self, p: Person | None = None) -> str:
        """Family name first, as on forms and rosters: `NGUYỄN Văn Hưng`, `Haddad Katia`, `SCHMIDT Anna`."""
        p = p or self.person()
        rest = " ".join(x for x in (p.middle, p.given) if x)
        family = p.family.upper() if self.rng.random() < 0.6 else p.family
        return f"{family} {rest}"

    def name_inverted(self, p: Person | None = None) -> str:
        """`Family, Given` (with the middle initial sometimes), one name."""
        p = p or self.person()
        rest = " ".join(x for x in (p.given, p.middle) if x)
        if not p.middle and self.rng.random() < 0.3:
            rest += f" {p.initial}."
        return f"{p.family}, {rest}"

    def given(self) -> str:
        return self._given()

    def title(self) -> str:
        local = {
            "de": ("Herr", "Frau"),
            "fr": ("M.", "Mme"),
            "es": ("Sr.", "Sra."),
            "it": ("Sig.", "Sig.ra"),
            "nl": ("dhr.", "mevr."),
            "pt": ("Sr.", "Sra."),
            "pl": ("Pan", "Pani"),
            "vi": ("Ông", "Bà"),
        }.get(self.lang, ())
        if local and self.rng.random() < 0.6:
            return self.rng.choice(local)
        return self.rng.choice(("Mr.", "Ms.", "Mrs.", "Mr", "Ms", "Dr.", "Dr"))

    # Contact
    def email(self, p: Person | None = None) -> str:
        """An address built from the person's name (a new person when None) at a Faker or example domain."""
        p = p or self.person()
        given = re.sub(r"[^a-z0-9]", "", ascii_fold(p.given).lower()) or "info"
        family = re.sub(r"[^a-z0-9]", "", ascii_fold(p.family).lower()) or "contact"
        local = self.rng.choice(
            (
                f"{given}.{family}",
                f"{given}.{family}",
                f"{given[0]}{family}",
                f"{given}{family[0]}",
                f"{family}.{given}",
                f"{given}-{family}",
                f"{given}_{family}",
                f"{given}.{family}{self.rng.randint(2, 98)}",
                f"{given}{self.rng.randint(1960, 2005)}",
                f"{given}+{self.rng.choice(('billing', 'news', 'work', 'shop'))}",
                f"{family}{given[0]}",
            )
        )
        domain = self.rng.choice(
            (
                str(self.fake.free_email_domain()),
                str(self.fake.free_email_domain()),
                str(self.fake.domain_name()),
                str(self.fake.domain_name()),
                "example.net",
                "mail.example.com",
            )
        )
        if len(domain.split(".")[0]) < 3 or not domain.isascii():
            domain = "example.org"
        return f"{local}@{domain}"

    def phone(self, extension: bool = False) -> str:
        """A possible number of the locale's country in one of the ways people write it."""
        region = self.locale.region
        number = None
        if self.locale.faker_phone and self.rng.random() < 0.45:
            for _ in range(30):
                raw = str(self.fake.phone_number()).strip()
                if self._possible(raw) and not re.search(r"[A-Za-z]", raw):
                    number = raw
                    break
        if number is None:
            number = self._generated_phone(region)
        if extension:
            ext = str(self.rng.randint(2, 9999)).zfill(self.rng.choice((2, 3, 4)))
            sep = self.rng.choice((" ext. ", " ext ", " x", " x", " Ext. ", " #", ";ext=", " extn. "))
            if self._possible(number + sep + ext):
                number = number + sep + ext
        return number

    def _possible(self, text: str) -> bool:
        try:
            return phonenumbers.is_possible_number(phonenumbers.parse(text, self.locale.region))
        except phonenumbers.NumberParseException:
            return False

    def _generated_phone(self, region: str) -> str:
        pt = phonenumbers.PhoneNumberType
        example = phonenumbers.example_number_for_type(
            region, pt.MOBILE if self.rng.random() < 0.6 else pt.FIXED_LINE
        ) or phonenumbers.example_number(region)
        assert example is not None
        nsn = phonenumbers.national_significant_number(example)
        keep = max(2, len(nsn) - 7)
        parsed = example
        for _ in range(60):
            candidate = nsn[:keep] + "".join(self.rng.choice(string.digits) for _ in range(len(nsn) - keep))
            trial = phonenumbers.parse(f"+{example.country_code}{candidate}", None)
            if phonenumbers.is_valid_number(trial) and phonenumbers.region_code_for_number(trial) == region:
                parsed = trial
                break
        fmt = phonenumbers.PhoneNumberFormat
        intl = phonenumbers.format_number(parsed, fmt.INTERNATIONAL)
        national = phonenumbers.format_number(parsed, fmt.NATIONAL)
        meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
        choices = [national, national, national, intl, intl, phonenumbers.format_number(parsed, fmt.E164)]
        choices.append(intl.replace(" ", "-"))
        if region == "US":
            digits = re.sub(r"\D", "", national)
            choices += [f"{digits[:3]}.{digits[3:6]}.{digits[6:]}", f"1-{digits[:3]}-{digits[3:6]}-{digits[6:]}"]
        if meta is not None and meta.international_prefix == "00":
            choices.append("00" + intl[1:])
        if region in ("DE", "GB", "NL", "BE", "SE", "IE", "FR") and national.startswith("0"):
            head, _, tail = intl.partition(" ")
            choices.append(f"{head} (0){tail}")
        text = self.rng.choice(choices)
        return text if self._possible(text) else intl

    # Places
    def _need_places(self) -> None:
        if not self.locale.places:
            raise NoPlaces(self.locale.code)

    def address_lines(self) -> list[str]:
        """The lines of a postal address without the country: street line first, then town and postcode."""
        self._need_places()
        f, code = self.fake, self.locale.code
        if code == "vi_VN":
            last = str(f.city() if self.rng.random() < 0.5 else f.province())
            return [str(f.street_address()), str(f.commune()), f"{last} {f.postcode()}".strip()]
        if code == "fr_DZ":
            return [str(f.street_address()), f"{f.postcode()} {f.city()}"]
        for _ in range(30):
            raw = str(f.address())
            if not re.search(r"\b(FPO|APO|DPO|PSC|USNS|USNV|USS|USCGC|Unit \d+ Box)\b", raw):
                break
        lines = [ln.strip() for ln in raw.split("\n") if ln.strip()]
        if code in ("zu_ZA", "en_PH", "az_AZ") and len(lines) == 1:
            merged: list[str] = []
            for part in lines[0].split(", "):
                if merged and re.match(r"^(b|m)\. ", part):
                    merged[-1] += ", " + part
                else:
                    merged.append(part.strip())
            lines = merged
        return lines

    def city(self) -> str:
        self._need_places()
        code = self.locale.code
        if code == "vi_VN":
            return VI_CITY_PREFIX.sub("", str(self.fake.city()))
        if code == "en_PH":
            return str(self.fake.province_lgu())
        return str(self.fake.city()).strip()

    def country(self, local: bool | None = None) -> str:
        names = self.locale.countries
        if local is None:
            return self.rng.choice(names[:1] * 2 + names[1:])
        return names[-1] if local else names[0]

    def elsewhere(self, exclude: tuple[str, ...] = ()) -> FreshValues:
        """Another locale's values (a place locale other than this one), seeded from this sample's stream."""
        options = [loc for loc in PLACE_LOCALES if loc.code != self.locale.code and loc.code not in exclude]
        loc = self.rng.choice(options)
        other = self._others.get(loc.code)
        if other is None:
            other = self._others[loc.code] = FreshValues(loc)
        return other.reseed(self.rng.getrandbits(62))

    def some_city(self) -> tuple[str, str]:
        """A city and its country: this locale's own when Faker has places here, else another's."""
        src = self if self.locale.places and self.rng.random() < 0.6 else self.elsewhere()
        return src.city(), src.country()

    # Money
    def card(self, network: str | None = None) -> tuple[str, str]:
        """A Luhn-valid card number written as printed: (number, network's display name or "")."""
        nets = [n for n in NETWORKS if network in (None, n[0])]
        key, shown, ranges, lengths = self.rng.choice(nets)
        low, high = self.rng.choice(ranges)
        prefix = str(self.rng.randint(low, high))
        size = self.rng.choice(lengths)
        body = prefix + "".join(self.rng.choice(string.digits) for _ in range(size - len(prefix) - 1))
        digits = body + luhn_digit(body)
        sep = self.rng.choice((" ", " ", "-", "", " "))
        if not sep:
            return digits, shown
        if key == "amex" or (key == "diners" and size == 14):
            groups = [digits[:4], digits[4:10], digits[10:]]
        elif key == "uatp":
            groups = [digits[:4], digits[4:9], digits[9:]]
        else:
            groups = [digits[i : i + 4] for i in range(0, size, 4)]
        return sep.join(groups), shown

    def iban(self, country: str | None = None) -> str:
        """An IBAN of the locale's country (Faker's or from the registry layout), or a bank abroad."""
        if country is None:
            country = self.locale.region if self.locale.iban else self.rng.choice(ABROAD_BANKS)
        if country == self.locale.region and self.locale.faker_bank and self.rng.random() < 0.5:
            raw = str(self.fake.iban())
        else:
            bban = ""
            for count, kind in re.findall(r"(\d+)([nac])", IBAN_LAYOUTS[country]):
                for _ in range(int(count)):
                    if kind == "n" or (kind == "c" and self.rng.random() < 0.8):
                        bban += self.rng.choice(string.digits)
                    else:
                        bban += self.rng.choice(string.ascii_uppercase)
            raw = country + iban_check_digits(country, bban) + bban
            assert len(raw) == IBAN_LENGTHS[country], country
        assert iban_ok(raw), raw
        if self.rng.random() < 0.5:
            return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))
        return raw

    def ssn(self) -> str:
        area = self.rng.choice([a for a in range(1, 900) if a != 666])
        sep = self.rng.choice(("-", "-", "-", " ", ""))
        value = f"{area:03d}{sep}{self.rng.randint(1, 99):02d}{sep}{self.rng.randint(1, 9999):04d}"
        assert ssn_ok(value), value
        return value

    # Network
    def ip_private(self) -> str:
        return str(self.fake.ipv4_private())

    def ip(self, version: int | None = None) -> str:
        roll = self.rng.random() if version is None else (0.0 if version == 4 else 0.99)
        if roll < 0.45:
            return str(self.fake.ipv4_public())
        if roll < 0.6:
            return str(self.fake.ipv4_private())
        if roll < 0.7:
            net = self.rng.choice(("192.0.2", "198.51.100", "203.0.113"))
            return f"{net}.{self.rng.randint(1, 254)}"
        if roll < 0.82:
            return ipaddress.IPv6Address(self.fake.ipv6()).compressed
        if roll < 0.92:
            groups = [f"{self.rng.randint(0, 0xFFFF):x}" for _ in range(4)]
            return str(ipaddress.IPv6Address(f"2001:db8:{groups[0]}:{groups[1]}::{groups[2]}:{groups[3]}"))
        return ipaddress.IPv6Address(self.fake.ipv6()).exploded
