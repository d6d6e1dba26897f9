"""Values of each entity type, drawn from Faker per locale and from generators of documented formats."""

from __future__ import annotations

import ipaddress
import random
import re
import string
import unicodedata
from dataclasses import dataclass

import phonenumbers
from faker import Faker
from locales import Locale

# Card networks by IIN prefix range and lengths. Source: ISO/IEC 7812 IIN assignments as published by the
# networks (Visa, Mastercard incl. the 2221-2720 series, Amex, Discover, Diners Club, JCB, Maestro, UnionPay,
# Mir, RuPay, Troy, Verve).
CARD_NETWORKS: tuple[tuple[str, tuple[tuple[int, int], ...], tuple[int, ...]], ...] = (
    ("visa", ((4, 4),), (13, 16, 19)),
    ("mastercard", ((51, 55),), (16,)),
    ("mastercard-2series", ((2221, 2720),), (16,)),
    ("amex", ((34, 34), (37, 37)), (15,)),
    ("discover", ((6011, 6011), (644, 649), (65, 65)), (16, 19)),
    ("diners", ((300, 305), (36, 36), (38, 39)), (14, 16)),
    ("jcb", ((3528, 3589),), (16, 17, 18, 19)),
    (
        "maestro",
        ((5018, 5018), (5020, 5020), (5038, 5038), (5893, 5893), (6304, 6304), (6759, 6763)),
        tuple(range(12, 20)),
    ),
    ("unionpay", ((62, 62),), (16, 17, 18, 19)),
    ("mir", ((2200, 2204),), (16, 17, 18, 19)),
    ("rupay", ((60, 60), (652, 653), (81, 82), (508, 508)), (16,)),
    ("troy", ((9792, 9792),), (16,)),
    ("verve", ((506099, 506198), (650002, 650027)), (16, 18, 19)),
)

IBAN_LOCALES = ("de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL", "pt_PT", "fi_FI", "da_DK", "cs_CZ", "en_GB")

# Titles written before a name: English ones everywhere, plus the locale's language's own.
TITLES = ("Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Dr", "Dr.", "Prof.", "Mx.")
LOCAL_TITLES = {
    "de": ("Herr", "Frau", "Dr."),
    "fr": ("M.", "Mme", "Mlle"),
    "es": ("Sr.", "Sra.", "D.", "Dña."),
    "it": ("Sig.", "Sig.ra", "Dott.", "Dott.ssa"),
    "pl": ("Pan", "Pani"),
    "pt": ("Sr.", "Sra.", "Dra."),
    "nl": ("Dhr.", "Mevr."),
    "cs": ("Ing.", "Mgr."),
    "sk": ("Ing.", "Mgr."),
    "hu": ("Dr.",),
    "ro": ("Dl.", "Dna."),
}


def luhn_complete(digits: str) -> str:
    """Append the Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return digits + str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    return luhn_complete(digits[:-1]) == digits


def card_number(rng: random.Random, network: str | None = None, length: int | None = None) -> tuple[str, str]:
    """A Luhn-valid number of a network (random when None): (digits, network)."""
    nets = [n for n in CARD_NETWORKS if network in (None, n[0])]
    name, ranges, lengths = rng.choice(nets)
    low, high = rng.choice(ranges)
    prefix = str(rng.randint(low, high))
    size = length if length in lengths else rng.choice(lengths)
    body = prefix + "".join(rng.choice(string.digits) for _ in range(size - len(prefix) - 1))
    return luhn_complete(body), name


def format_card(rng: random.Random, digits: str, network: str) -> str:
    """Group as printed on the card (Amex 4-6-5, Diners 4-6-4, else fours) with spaces, dashes or nothing."""
    sep = rng.choice((" ", " ", "-", "", ""))
    if not sep:
        return digits
    if (len(digits) == 15 and network == "amex") or (len(digits) == 14 and network == "diners"):
        groups = [digits[:4], digits[4:10], digits[10:]]
    else:
        groups = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    return sep.join(groups)


def ssn(rng: random.Random) -> str:
    """A US SSN with a valid area (001-899, not 666), group (01-99) and serial (0001-9999)."""
    area = rng.choice([a for a in range(1, 900) if a != 666])
    group = rng.randint(1, 99)
    serial = rng.randint(1, 9999)
    sep = rng.choice(("-", "-", "-", "-", " ", ""))
    return f"{area:03d}{sep}{group:02d}{sep}{serial:04d}"


def ascii_fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


class NoLatinPlaces(Exception):
    """The locale's Faker writes places in another script or in another country's format."""


@dataclass
class Person:
    first: str
    last: str
    initial: str

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


class Values:
    """Entity values for one locale, reproducible from the seed."""

    def __init__(self, locale: Locale) -> None:
        self.locale = locale
        self.fake = Faker(locale.code)
        for provider in self.fake.providers:
            # it_IT builds its city list from a set, whose order changes with PYTHONHASHSEED.
            if isinstance(getattr(provider, "cities", None), list):
                provider.cities = sorted(provider.cities)  # type: ignore[attr-defined]
        self.rng = random.Random(0)
        self._bank_fakes: dict[str, Faker] = {}

    def reseed(self, seed: int) -> Values:
        """Start the values of one sample: the same seed gives the same values whatever came before."""
        self.fake.seed_instance(seed)
        self.rng.seed(seed)
        return self

    # People
    def person(self) -> Person:
        f = self.fake
        if self.locale.names == "romanized":
            first, last = f.first_romanized_name(), f.last_romanized_name()
        else:
            first, last = f.first_name(), f.last_name()
        return Person(first, last, self.rng.choice(string.ascii_uppercase))

    def person_name(self) -> str:
        """A full name as people write it: mostly first last, sometimes with a middle initial or inverted."""
        p = self.person()
        roll = self.rng.random()
        if self.locale.code == "hu_HU" and roll < 0.6:
            return f"{p.last} {p.first}"
        if roll < 0.15:
            return f"{p.first} {p.initial}. {p.last}"
        if roll < 0.22:
            return f"{p.first} {p.initial} {p.last}"
        if roll < 0.27:
            return f"{p.first} {self.person().first} {p.last}"
        return p.full

    def given_name(self) -> str:
        return self.person().first

    def title(self) -> str:
        local = LOCAL_TITLES.get(self.locale.code[:2], ())
        return self.rng.choice(local if local and self.rng.random() < 0.5 else TITLES)

    # Contact
    def email(self, person: Person | None = None) -> str:
        if person is None or self.rng.random() < 0.3:
            return str(self.fake.email())
        first, last = ascii_fold(person.first), ascii_fold(person.last)
        local = self.rng.choice(
            (f"{first}.{last}", f"{first[:1]}{last}", f"{first}_{last}", f"{last}{self.rng.randint(1, 99)}")
        )
        domain = self.rng.choice((self.fake.free_email_domain(), self.fake.domain_name(), "example.com", "example.org"))
        return f"{local}@{domain}"

    def phone(self) -> str:
        """A number Faker writes for the locale, sometimes reformatted internationally; only possible numbers."""
        for _ in range(20):
            raw = str(self.fake.phone_number())
            try:
                parsed = phonenumbers.parse(raw, self.locale.region)
            except phonenumbers.NumberParseException:
                continue
            if not phonenumbers.is_possible_number(parsed):
                continue
            if "x" not in raw and self.rng.random() < 0.25 and phonenumbers.is_valid_number(parsed):
                fmt = self.rng.choice(
                    (
                        phonenumbers.PhoneNumberFormat.INTERNATIONAL,
                        phonenumbers.PhoneNumberFormat.E164,
                        phonenumbers.PhoneNumberFormat.NATIONAL,
                    )
                )
                return phonenumbers.format_number(parsed, fmt)
            return raw
        raise RuntimeError(f"Faker gave no possible phone number for {self.locale.code} in 20 tries")

    def phone_with_extension(self) -> str:
        number = self.phone()
        if "x" in number or "ext" in number:
            return number
        return number + self.rng.choice(("x", " x", " ext. ", " ext ", "x")) + str(self.rng.randint(10, 99999))

    # Places
    def _address(self) -> str:
        if not self.locale.address:
            raise NoLatinPlaces(self.locale.code)
        for _ in range(20):
            text = str(self.fake.address())
            if not re.search(r"\b(FPO|APO|DPO|USNS|USNV|USS|USCGC|PSC|Unit \d)\b", text):
                return text
        raise RuntimeError(f"Faker gave only military addresses for {self.locale.code}")

    def address_lines(self) -> list[str]:
        """A postal address as lines (street line, postcode and city line, ...), without the country."""
        text = self._address()
        lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
        if len(lines) == 1 and ", " in lines[0]:
            lines = [part.strip() for part in lines[0].split(", ")]
        return lines

    def city(self) -> str:
        if self.locale.names == "romanized":
            raise NoLatinPlaces(self.locale.code)
        return str(self.fake.city())

    def region(self) -> str | None:
        """A state, county or region of the locale; None where Faker has none."""
        if not self.locale.address:
            raise NoLatinPlaces(self.locale.code)
        for method in ("administrative_unit", "state", "region"):
            fn = getattr(self.fake, method, None)
            if fn is not None:
                return str(fn())
        return None

    def country(self) -> str:
        return self.rng.choice((self.locale.country, self.locale.country, self.locale.country_local))

    # Money and network
    def card(self) -> str:
        """A card number: a fifth from Faker's card providers, the rest from the IIN table above."""
        if self.rng.random() < 0.2:
            digits = str(self.fake.credit_card_number())
            net = "amex" if digits[:2] in ("34", "37") and len(digits) == 15 else "other"
        else:
            digits, net = card_number(self.rng)
        return format_card(self.rng, digits, net)

    def iban(self) -> str:
        """The locale's IBAN format, or another country's where Faker has none for this locale."""
        if self.locale.bank:
            raw = str(self.fake.iban())
        else:
            code = self.rng.choice(IBAN_LOCALES)
            if code not in self._bank_fakes:
                self._bank_fakes[code] = Faker(code)
            self._bank_fakes[code].seed_instance(self.rng.randint(0, 2**31))
            raw = str(self._bank_fakes[code].iban())
        if self.rng.random() < 0.45:
            return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))
        return raw

    def ip(self) -> str:
        roll = self.rng.random()
        if roll < 0.5:
            return str(self.fake.ipv4_public())
        if roll < 0.65:
            return str(self.fake.ipv4_private())
        v6 = ipaddress.IPv6Address(self.fake.ipv6())
        return v6.compressed if roll < 0.85 else v6.exploded

    def ssn(self) -> str:
        return ssn(self.rng)
