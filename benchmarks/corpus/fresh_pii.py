"""Shapes with personal data for the fresh held-out corpus, written apart from pii_templates.py.

Each template takes the values of one sample and returns the parts of its text: literal strings and
(value, type) pairs, so every labelled span is exactly the value inserted (sample.compose).
"""
# ruff: noqa: E501  (template lines are kept whole so each reads as the text it produces)

from __future__ import annotations

from collections.abc import Callable

from fresh_values import FreshValues
from sample import Part

PER, LOC, EMAIL, PHONE, CARD, SSN, IBAN, IP = (
    "PERSON",
    "LOCATION",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "US_SSN",
    "IBAN_CODE",
    "IP_ADDRESS",
)

Template = Callable[[FreshValues], list[Part]]
# (name, kind, pool, template); pool: "any" (every locale), "places" (locales with Faker streets), "us" (en_US)
TEMPLATES: list[tuple[str, str, str, Template]] = []


def template(name: str, kind: str, pool: str = "any") -> Callable[[Template], Template]:
    def register(fn: Template) -> Template:
        TEMPLATES.append((name, kind, pool, fn))
        return fn

    return register


def joined(values: list[str], kind: str, sep: str) -> list[Part]:
    """Values as spans with literal separators between them."""
    parts: list[Part] = []
    for i, value in enumerate(values):
        parts += ([sep] if i else []) + [(value, kind)]
    return parts


def address(v: FreshValues, sep: str = "\n", country: str | None = None, upper: bool = False) -> list[Part]:
    """An address, one LOCATION span per line of its postal form; country None, "en", "local" or "any"."""
    lines = v.address_lines()
    if country:
        lines.append(v.country({"en": False, "local": True, "any": None}[country]))
    if upper:
        lines = [ln.upper() for ln in lines]
    return joined(lines, LOC, sep)


def town_lines(v: FreshValues) -> tuple[str, list[str]]:
    """The street line and the rest of an address's lines."""
    lines = v.address_lines()
    return lines[0], lines[1:]


def quote(v: FreshValues) -> str:
    return v.rng.choice(('"', "“", "'"))


def csv_cell(value: str, kind: str | None, sep: str) -> list[Part]:
    """A CSV cell, quoted when it holds the separator or a quote; the span is the value inside the quotes."""
    if sep in value or '"' in value:
        inner = value.replace('"', '""')
        return ['"', (inner, kind) if kind else inner, '"']
    return [(value, kind) if kind else value]


def pad_right(parts: list[Part], width: int, text_len: int) -> list[Part]:
    return [*parts, " " * max(0, width - text_len)]


# 1 Notebook prompts
@template("nb_complaint_summary", "notebook_prompt")
def nb_complaint_summary(v: FreshValues) -> list[Part]:
    p = v.person()
    city, _ = v.some_city()
    card, brand = v.card()
    sentences: list[list[Part]] = [
        [f"I have been with you since {v.rng.randint(2009, 2021)} and never complained before. "],
        [
            f"On {v.rng.randint(2, 28)} {v.rng.choice(('March', 'June', 'October'))} my {brand or 'debit'} card ",
            (card, CARD),
            " was charged twice at your store in ",
            (city, LOC),
            ". ",
        ],
        ["I called ", (v.phone(), PHONE), " four times and nobody picked up. "],
        ["Please refund the difference to ", (v.iban(), IBAN), " and confirm by email. "],
        ["If I do not hear back I will take this to the ombudsman. "],
    ]
    body: list[Part] = []
    for s in [sentences[0], sentences[1], *v.rng.sample(sentences[2:], v.rng.randint(1, 3))]:
        body += s
    intro = v.rng.choice(
        (
            "Summarise this complaint from {n} ({e}) in three bullet points, then rate the urgency from 1 to 5.",
            "You are a support analyst. Summarize the complaint below, sent by {n} <{e}>, and suggest a next step.",
            "Classify the complaint from {n} (reply-to: {e}) into billing / delivery / fraud and explain why.",
        )
    )
    head, rest = intro.split("{n}")
    mid, tail = rest.split("{e}")
    return [head, (v.name(p), PER), mid, (v.email(p), EMAIL), tail, "\n\n---\n", *body, "\n---\n"]


@template("llm_call_cell", "code", pool="places")
def llm_call_cell(v: FreshValues) -> list[Part]:
    p = v.person()
    street, rest = town_lines(v)
    card, _ = v.card()
    model = v.rng.choice(("gpt-4o-mini", "claude-3-5-haiku-latest", "llama3.1:8b", "mistral-small-latest"))
    tasks: tuple[list[Part], ...] = (
        [
            "Write a friendly payment reminder to ",
            (v.name(p), PER),
            " at ",
            (street, LOC),
            ", ",
            *joined(rest, LOC, ", "),
            ". The card ",
            (card, CARD),
            " was declined on renewal.",
        ],
        [
            "Draft a delivery apology for ",
            (v.name(p), PER),
            " (",
            (v.email(p), EMAIL),
            "); the parcel to ",
            (street, LOC),
            ", ",
            *joined(rest, LOC, ", "),
            " came back to the depot.",
        ],
        [
            "Rewrite this note more politely: customer ",
            (p.given, PER),
            " called from ",
            (v.phone(), PHONE),
            " about a double charge on ",
            (card, CARD),
            ".",
        ],
    )
    task = v.rng.choice(tasks)
    return [
        "from openai import OpenAI\n\nclient = OpenAI()\nresp = client.chat.completions.create(\n",
        f'    model="{model}",\n',
        '    messages=[\n        {"role": "system", "content": "You write short customer letters."},\n',
        '        {"role": "user", "content": "',
        *task,
        '"},\n    ],\n    temperature=0.3,\n)\nprint(resp.choices[0].message.content)\n',
        v.rng.choice(
            (
                "# why is the answer cut off after two sentences?\n",
                "# returns 429 after a few calls, how do I add retries?\n",
                "",
            )
        ),
    ]


@template("phone_normalise_list", "code")
def phone_normalise_list(v: FreshValues) -> list[Part]:
    parts: list[Part] = ["import phonenumbers\n\nraw = [\n"]
    for _ in range(v.rng.randint(3, 6)):
        parts += ['    "', (v.phone(extension=v.rng.random() < 0.3), PHONE), '",  # ', (v.given(), PER), "\n"]
    parts.append(
        v.rng.choice(
            (
                "]\nclean = [phonenumbers.format_number(phonenumbers.parse(x, REGION), phonenumbers.PhoneNumberFormat.E164) for x in raw]\n# some of these raise NumberParseException, how do I keep the extension?\n",
                "]\n\nNormalise these to E.164 and tell me which ones are mobile numbers.\n",
                "]\n# dedupe: are any of these the same number written differently?\n",
            )
        )
    )
    return parts


# 2 Chats
@template("bank_chat_thread", "chat")
def bank_chat_thread(v: FreshValues) -> list[Part]:
    p = v.person()
    agent = v.given()
    landlord = v.name()
    hh, mm = v.rng.randint(8, 19), v.rng.randint(0, 50)

    def t(k: int) -> str:
        return f"[{hh:02d}:{mm + k:02d}] "

    return [
        v.rng.choice(
            (
                "Extract every entity from this chat and classify the intent.\n\n",
                "Was this transfer likely a scam? Chat log:\n\n",
                "",
            )
        ),
        t(0),
        "Customer: hi, I sent money yesterday and it never arrived\n",
        t(1),
        "Agent ",
        (agent, PER),
        ": Hello ",
        (p.given, PER),
        ", I'm sorry to hear that. Which account did you send it to?\n",
        t(2),
        "Customer: ",
        (v.iban(), IBAN),
        v.rng.choice((" - my landlord ", ", it's for my landlord ")),
        (landlord, PER),
        "\n",
        t(3),
        "Agent ",
        (agent, PER),
        ": Thanks. Can you confirm the mobile number on your profile?\n",
        t(4),
        "Customer: ",
        (v.phone(), PHONE),
        "\n",
        t(6),
        "Agent ",
        (agent, PER),
        ": I've raised a trace. You'll get an update at ",
        (v.email(p), EMAIL),
        " within 2 working days.\n",
    ]


@template("whatsapp_export", "chat")
def whatsapp_export(v: FreshValues) -> list[Part]:
    a, b = v.person(), v.person()
    city, country = v.some_city()
    day, month = v.rng.randint(1, 28), v.rng.randint(1, 12)
    stamp = f"{day:02d}/{month:02d}/2024, "
    unknown = v.phone()
    lines: list[list[Part]] = [
        [(a.full, PER), ": are you still in ", (city, LOC), "?"],
        [(b.full, PER), ": yes until Sunday, then back to ", (country, LOC)],
        [(unknown, PHONE), ": Hi, this is ", (v.given(), PER), " from the flat viewing, is the room still free?"],
        [(a.full, PER), ": who gave you this number?"],
        [
            (b.full, PER),
            ": my flatmate ",
            (v.given(), PER),
            " can pick up the keys, the number is ",
            (v.phone(), PHONE),
        ],
        [(a.full, PER), ": send me your email, I'll forward the contract"],
        [(b.full, PER), ": ", (v.email(b), EMAIL)],
    ]
    parts: list[Part] = [
        v.rng.choice(("Summarise this WhatsApp export:\n", "Who is asking about the room? Chat export below.\n", ""))
    ]
    hour, minute = v.rng.randint(8, 21), v.rng.randint(0, 15)
    for line in lines[: v.rng.randint(5, 7)]:
        minute += v.rng.randint(1, 6)
        parts += [stamp, f"{hour:02d}:{minute:02d} - ", *line, "\n"]
    return parts


@template("standup_given_names", "chat")
def standup_given_names(v: FreshValues) -> list[Part]:
    names = [v.given() for _ in range(4)]
    city, _ = v.some_city()
    tasks = (
        "the churn model",
        "the feature store migration",
        "the labelling guidelines",
        "the dbt refactor",
        "the A/B test readout",
    )
    picked = v.rng.sample(tasks, 3)
    return [
        "Turn this stand-up thread into a weekly status note.\n\n",
        "*",
        (names[0], PER),
        "*: yesterday I paired with ",
        (names[1], PER),
        f" on {picked[0]}; today I'm reviewing ",
        (names[2], PER),
        f"'s PR for {picked[1]}.\n*",
        (names[1], PER),
        f"*: blocked on {picked[2]}, waiting for access. @",
        (names[0], PER),
        " can you approve?\n*",
        (names[2], PER),
        "*: done with the notebook cleanup. FYI ",
        (names[3], PER),
        " is out until Friday (at a conference in ",
        (city, LOC),
        ").\n",
    ]


# 3 HR, insurance, medical, US forms
@template("hr_note", "hr")
def hr_note(v: FreshValues) -> list[Part]:
    p = v.person()
    here = v if v.locale.places else v.elsewhere()
    there = v.elsewhere(exclude=(here.locale.code,))
    from_city = here.city()
    to_city, to_country = there.city(), there.country()
    contact = v.person()
    relation = v.rng.choice(("partner", "mother", "brother", "friend", "father"))
    return [
        "HR NOTE - CONFIDENTIAL\nEmployee: ",
        (v.name_inverted(p), PER),
        "\nLine manager: ",
        (v.name(), PER),
        "\nTopic: relocation request\n\n",
        (p.given, PER),
        " asked to transfer from the ",
        (from_city, LOC),
        " office to ",
        (to_city, LOC),
        ", ",
        (to_country, LOC),
        f", from {v.rng.choice(('September', 'January', 'the next quarter'))}. Reason given: family. ",
        "Emergency contact on file: ",
        (contact.full, PER),
        f" ({relation}), ",
        (v.phone(), PHONE),
        ". Salary account to stay ",
        (v.iban(), IBAN),
        ".\n\nWrite a neutral two-line summary for the case system.",
    ]


@template("hr_us_payroll", "hr", pool="us")
def hr_us_payroll(v: FreshValues) -> list[Part]:
    p = v.person()
    street, rest = town_lines(v)
    return [
        "Check this payroll change form for missing or inconsistent fields.\n\n",
        "EMPLOYEE INFORMATION CHANGE\nEmployee name: ",
        (f"{p.given} {p.initial}. {p.family}", PER),
        "\nSocial Security No.: ",
        (v.ssn(), SSN),
        "\nNew home address: ",
        (street, LOC),
        ", ",
        *joined(rest, LOC, ", "),
        "\nPersonal phone: ",
        (v.phone(), PHONE),
        "\nPersonal email: ",
        (v.email(p), EMAIL),
        "\nDirect deposit: checking account ending ",
        str(v.rng.randint(1000, 9999)),
        "\nEffective date: ",
        f"{v.rng.randint(1, 12)}/{v.rng.randint(1, 28)}/2024",
        "\nApproved by: ",
        (v.name(), PER),
        "\n",
    ]


@template("insurance_claim", "claim", pool="places")
def insurance_claim(v: FreshValues) -> list[Part]:
    p = v.person()
    other = v.person()
    street, rest = town_lines(v)
    scene = v.address_lines()
    return [
        f"CLAIM NOTIFICATION   Ref. CLM-{v.rng.randint(20, 24)}-{v.rng.randint(1000, 9999)}{v.rng.choice('ABCDEFGH')}\n",
        "Policyholder: ",
        v.title(),
        " ",
        (v.name(p), PER),
        "\nAddress: ",
        (street, LOC),
        ", ",
        *joined(rest, LOC, ", "),
        "\nPhone (day): ",
        (v.phone(), PHONE),
        "    E-mail: ",
        (v.email(p), EMAIL),
        f"\nDate of loss: {v.rng.randint(1, 28):02d}.{v.rng.randint(1, 12):02d}.2024\nPlace of loss: ",
        (scene[0], LOC),
        ", ",
        *joined(scene[1:], LOC, ", "),
        "\nDescription: ",
        v.rng.choice(
            (
                "Rear-end collision at a junction. ",
                "Water damage from the flat above. ",
                "Bicycle stolen from a locked shed. ",
            )
        ),
        "Third party: ",
        (other.full, PER),
        ", tel. ",
        (v.phone(), PHONE),
        ".\nPay out to: IBAN ",
        (v.iban(), IBAN),
        "\n\nExtract these fields as JSON and flag anything missing.",
    ]


@template("claim_adjuster_us", "claim", pool="us")
def claim_adjuster_us(v: FreshValues) -> list[Part]:
    p, spouse = v.person(), v.person()
    spouse.family = p.family
    parts: list[Part] = [
        "Adjuster notes, file ",
        f"AUTO-{v.rng.randint(100000, 999999)}\n",
        "Claimant ",
        (v.name(p), PER),
        " (SSN ",
        (v.ssn(), SSN),
        ") reports the vehicle was hit while parked on ",
        (v.address_lines()[0], LOC),
        ". ",
    ]
    if v.rng.random() < 0.6:
        parts += [
            "Spouse ",
            (spouse.full, PER),
            ", SSN ",
            (v.ssn(), SSN),
            ", is a named driver. ",
        ]
    parts += [
        "Witness ",
        (v.name(), PER),
        " can be reached at ",
        (v.phone(extension=v.rng.random() < 0.3), PHONE),
        ". Rental paid by card ",
        (v.card()[0], CARD),
        ".\nSummarise the liability position in plain English.",
    ]
    return parts


REMINDERS = {
    "de": (
        "Erinnerung: Ihr Termin bei Dr. {d} am Donnerstag, 11. April, um 9:40 Uhr in der Praxis {a}. Bitte bringen Sie Ihre Versichertenkarte mit. Absagen bitte unter {p}.",
        "Translate this reminder into English:\n\n",
    ),
    "fr": (
        "Rappel : votre rendez-vous avec le Dr {d} le jeudi 11 avril à 9h40, {a}. Pour annuler ou déplacer le rendez-vous, appelez le {p}.",
        "Translate this reminder into English:\n\n",
    ),
    "es": (
        "Recordatorio: tiene cita con la Dra. {d} el jueves 11 de abril a las 9:40 en {a}. Para cancelar llame al {p}.",
        "Translate this reminder into English:\n\n",
    ),
    "it": (
        "Promemoria: appuntamento con il Dott. {d} giovedì 11 aprile alle 9:40, {a}. Per disdire chiamare il {p}.",
        "Translate this reminder into English:\n\n",
    ),
    "nl": (
        "Herinnering: uw afspraak bij dr. {d} op donderdag 11 april om 9.40 uur, {a}. Afzeggen kan via {p}.",
        "Translate this reminder into English:\n\n",
    ),
    "pt": (
        "Lembrete: sua consulta com a Dra. {d} na quinta-feira, 11 de abril, às 9h40, {a}. Para remarcar ligue {p}.",
        "Translate this reminder into English:\n\n",
    ),
    "pl": (
        "Przypomnienie: wizyta u dr {d} w czwartek 11 kwietnia o 9:40, {a}. Odwołanie wizyty: {p}.",
        "Translate this reminder into English:\n\n",
    ),
    "sv": (
        "Påminnelse: din tid hos dr {d} torsdag 11 april kl. 9.40, {a}. Avboka på {p}.",
        "Translate this reminder into English:\n\n",
    ),
    "en": (
        "Reminder: your appointment with Dr. {d} is on Thursday 11 April at 9:40 am, {a}. Please arrive 10 minutes early. To cancel or reschedule call {p}.",
        "Shorten this reminder so it fits in one SMS:\n\n",
    ),
}


@template("appointment_reminder", "reminder", pool="places")
def appointment_reminder(v: FreshValues) -> list[Part]:
    text, prompt = REMINDERS.get(v.lang, REMINDERS["en"])
    patient = v.given()
    greeting: list[Part] = (
        [v.rng.choice(("Hi ", "Hello ", "Dear ")), (patient, PER), ",\n"]
        if v.lang == "en" or v.lang not in REMINDERS
        else [(patient, PER), ": "]
    )
    before_d, rest = text.split("{d}")
    before_a, rest = rest.split("{a}")
    before_p, after_p = rest.split("{p}")
    street, town = town_lines(v)
    return [
        prompt,
        *greeting,
        before_d,
        (v.person().family, PER),
        before_a,
        (street, LOC),
        ", ",
        *joined(town, LOC, ", "),
        before_p,
        (v.phone(extension=v.rng.random() < 0.25), PHONE),
        after_p,
    ]


@template("us_tax_form", "form", pool="us")
def us_tax_form(v: FreshValues) -> list[Part]:
    p = v.person()
    street, rest = town_lines(v)
    parts: list[Part] = [
        "I typed this from my return, can you check the SSNs have the right number of digits?\n\n",
        "Your first name and middle initial: ",
        (f"{p.given} {p.initial}.", PER),
        "    Last name: ",
        (p.family, PER),
        "\nYour social security number: ",
        (v.ssn(), SSN),
        "\n",
    ]
    if v.rng.random() < 0.7:
        s = v.person()
        parts += [
            "If joint return, spouse's first name and middle initial: ",
            (s.given, PER),
            "    Last name: ",
            (p.family if v.rng.random() < 0.7 else s.family, PER),
            "\nSpouse's social security number: ",
            (v.ssn(), SSN),
            "\n",
        ]
    parts += [
        "Home address (number and street): ",
        (street, LOC),
        "\nCity, town, or post office, state, and ZIP code: ",
        *joined(rest, LOC, " "),
        "\nPhone no.: ",
        (v.phone(), PHONE),
        "    Email: ",
        (v.email(p), EMAIL),
        "\n",
    ]
    for _ in range(v.rng.randint(0, 2)):
        d = v.person()
        parts += [
            "Dependent: ",
            (f"{d.given} {p.family}", PER),
            "  SSN ",
            (v.ssn(), SSN),
            f"  child, born {v.rng.randint(2008, 2022)}\n",
        ]
    return parts


@template("background_check_us", "report", pool="us")
def background_check_us(v: FreshValues) -> list[Part]:
    p = v.person()
    alias_family = v.person().family
    parts: list[Part] = [
        "Turn this screening report into a table of addresses with dates.\n\nSUBJECT: ",
        (f"{p.family.upper()}, {p.given} {p.initial}", PER),
        "\nAlso known as: ",
        (f"{p.given} {alias_family}", PER),
        "\nSSN: ",
        (v.ssn(), SSN),
        "  (issued 1998-2000)\nPhone numbers: ",
        (v.phone(), PHONE),
        "; ",
        (v.phone(), PHONE),
        "\nAddress history:\n",
    ]
    for year in sorted(v.rng.sample(range(2006, 2024), v.rng.randint(2, 4)), reverse=True):
        street, rest = town_lines(v)
        parts += [f"  {year}-  ", (street, LOC), ", ", *joined(rest, LOC, ", "), "\n"]
    parts += ["Email: ", (v.email(p), EMAIL), "\nLast login IP: ", (v.ip(), IP), "\n"]
    return parts


# 4 Postal blocks and labels
@template("shipping_label", "label", pool="places")
def shipping_label(v: FreshValues) -> list[Part]:
    sender = v.elsewhere()
    recipient = v.person()
    return [
        "Read this label and return the recipient as JSON (name, street, city, country).\n\n",
        "FROM: ",
        (sender.name().upper(), PER),
        "\n",
        *address(sender, country="en", upper=True),
        "\n\nSHIP TO:\n",
        (v.name(recipient).upper(), PER),
        "\n",
        *address(v, country=v.rng.choice(("en", "en", "local")), upper=True),
        "\nTEL ",
        (v.phone(), PHONE),
        f"\n\nWT {v.rng.randint(1, 9)}.{v.rng.randint(0, 9)} KG   PRIORITY   PKG 1/1\n",
    ]


@template("postal_envelope", "postal", pool="places")
def postal_envelope(v: FreshValues) -> list[Part]:
    sender = v.elsewhere()
    host = v.person()
    guest = v.person()
    recipient_name: list[Part] = (
        [(v.name(guest), PER), "\nc/o ", (v.name(host), PER), "\n"]
        if v.rng.random() < 0.4
        else [(v.name(guest), PER), "\n"]
    )
    return [
        v.rng.choice(
            (
                "Which of these is the recipient's address? Format it for a label printer.\n\n",
                "Split the two addresses below into sender and recipient fields.\n\n",
            )
        ),
        (sender.name(), PER),
        "\n",
        *address(sender, country="en"),
        "\n\n",
        v.rng.choice(("PAR AVION - PRIORITAIRE\n\n", "BY AIR MAIL\n\n", "")),
        *recipient_name,
        *address(v, country=v.rng.choice(("en", "local", "any"))),
        "\n",
    ]


@template("vcard_contact", "vcard", pool="places")
def vcard_contact(v: FreshValues) -> list[Part]:
    p = v.person()
    street = v.address_lines()[0].replace(",", "")
    country = v.country()
    return [
        v.rng.choice(("Parse this vCard into a dict:\n", "Why does my vCard import drop the address?\n", "")),
        "BEGIN:VCARD\nVERSION:3.0\nN:",
        (p.family, PER),
        ";",
        (p.given, PER),
        ";;;\nFN:",
        (p.full, PER),
        "\nEMAIL;TYPE=INTERNET,HOME:",
        (v.email(p), EMAIL),
        "\nTEL;TYPE=CELL:",
        (v.phone(), PHONE),
        "\nADR;TYPE=HOME:;;",
        (street, LOC),
        ";",
        (v.city(), LOC),
        ";;;",
        (country, LOC),
        "\nEND:VCARD\n",
    ]


# 5 Tables and structured text
def pandas_frame(
    v: FreshValues, headers: list[str], rows: list[list[tuple[str, str | None]]], ellipsis_at: int | None
) -> list[Part]:
    """A DataFrame as pandas prints it: index left, cells right-aligned under their headers, two spaces apart."""
    ids = [str(i) for i in range(len(rows))]
    iw = max(len(i) for i in ids)
    widths = [max(len(h), *(len(r[c][0]) for r in rows)) for c, h in enumerate(headers)]
    out: list[Part] = [" " * iw]
    for c, h in enumerate(headers):
        if c == ellipsis_at:
            out.append("  ...")
        out.append("  " + h.rjust(widths[c]))
    out.append("\n")
    for r, row in enumerate(rows):
        out.append(ids[r].ljust(iw))
        for c, (value, kind) in enumerate(row):
            if c == ellipsis_at:
                out.append("  ...")
            out.append("  " + " " * (widths[c] - len(value)))
            out.append((value, kind) if kind else value)
        out.append("\n")
    return out


@template("df_head_wide", "table")
def df_head_wide(v: FreshValues) -> list[Part]:
    n = v.rng.randint(3, 5)
    rows: list[list[tuple[str, str | None]]] = []
    for _ in range(n):
        p = v.person()
        rows.append(
            [
                (str(v.rng.randint(10000, 99999)), None),
                (p.given, PER),
                (p.family, PER),
                (v.country(), LOC),
                (v.email(p), EMAIL),
                (f"{v.rng.uniform(0, 1):.3f}", None),
            ]
        )
    headers = ["user_id", "first_name", "last_name", "country", "email", "churn_score"]
    return [
        v.rng.choice(("df.head()\n", ">>> df.head()\n", "In [12]: df.head()\nOut[12]:\n")),
        *pandas_frame(v, headers, rows, ellipsis_at=3),
        f"\n[{n} rows x {v.rng.randint(9, 31)} columns]\n",
        v.rng.choice(
            (
                "Why are the middle columns hidden and how do I show all of them?",
                "Which users have a churn score above 0.5?",
                "Suggest features to engineer from these columns.",
            )
        ),
    ]


@template("series_printout", "table")
def series_printout(v: FreshValues) -> list[Part]:
    p = v.person()
    fields: list[tuple[str, str, str | None]] = [
        ("customer_name", v.name(p), PER),
        ("email_addr", v.email(p), EMAIL),
        ("mobile", v.phone(), PHONE),
        ("pan", v.card()[0], CARD),
        ("last_login_ip", v.ip(), IP),
        ("segment", v.rng.choice(("retail", "premium", "smb")), None),
    ]
    kw = max(len(k) for k, _, _ in fields)
    vw = max(len(x) for _, x, _ in fields)
    idx = v.rng.randint(100, 99999)
    parts: list[Part] = [f">>> df.loc[{idx}]\n"]
    for key, value, kind in fields:
        parts += [key.ljust(kw), "    ", " " * (vw - len(value)), (value, kind) if kind else value, "\n"]
    parts += [
        f"Name: {idx}, dtype: object\n",
        v.rng.choice(
            (
                "Mask the sensitive fields in this row.",
                "Why is pan stored as a string?",
                "Which of these fields should I drop before training?",
            )
        ),
    ]
    return parts


CSV_HEADERS = {
    "de": ("Nachname", "Vorname", "Strasse", "PLZ_Ort", "Land", "Telefon", "IBAN"),
    "fr": ("nom", "prenom", "adresse", "code_postal_ville", "pays", "tel", "iban"),
    "es": ("apellidos", "nombre", "direccion", "cp_localidad", "pais", "telefono", "iban"),
    "it": ("cognome", "nome", "indirizzo", "cap_comune", "paese", "telefono", "iban"),
    "nl": ("achternaam", "voornaam", "straat", "postcode_plaats", "land", "telefoon", "iban"),
    "pt": ("sobrenome", "nome", "endereco", "cep_cidade", "pais", "telefone", "iban"),
}


@template("csv_semicolon_export", "csv", pool="places")
def csv_semicolon_export(v: FreshValues) -> list[Part]:
    headers = CSV_HEADERS.get(
        v.lang, ("surname", "forename", "address_line_1", "town_postcode", "country", "mobile", "iban")
    )
    parts: list[Part] = [
        v.rng.choice(
            (
                "pd.read_csv gives one column for this file, what's wrong?\n\n",
                "Clean this export (sep=';', decimal=',') and count rows per country:\n\n",
            )
        ),
        ";".join(headers) + "\n",
    ]
    for _ in range(v.rng.randint(2, 4)):
        p = v.person()
        lines = v.address_lines()
        parts += [
            *csv_cell(p.family, PER, ";"),
            ";",
            *csv_cell(p.given, PER, ";"),
            ";",
            *csv_cell(lines[0], LOC, ";"),
            ";",
        ]
        parts += joined(lines[1:], LOC, ", ")
        parts += [";", (v.country(), LOC), ";", (v.phone(), PHONE), ";", (v.iban(), IBAN), "\n"]
    return parts


@template("yaml_oncall", "yaml")
def yaml_oncall(v: FreshValues) -> list[Part]:
    parts: list[Part] = [
        v.rng.choice(("Validate this YAML and tell me why the loader fails:\n\n", "Convert to JSON:\n\n", "")),
        f"# on-call rota, exported {v.rng.randint(1, 28)}.{v.rng.randint(1, 12)}.2024\nteam: {v.rng.choice(('payments', 'ml-platform', 'data-eng'))}\nescalation:\n",
    ]
    for level in range(1, v.rng.randint(3, 4)):
        p = v.person()
        q = '"' if v.rng.random() < 0.4 else ""
        parts += [
            f"  - level: {level}\n    name: {q}",
            (v.name(p), PER),
            f"{q}\n    email: ",
            (v.email(p), EMAIL),
            "\n    phone: '",
            (v.phone(), PHONE),
            "'\n",
        ]
    payer = v.person()
    parts += ["billing:\n  owner: ", (payer.full, PER), "\n  iban: ", (v.iban(), IBAN), "\n"]
    return parts


@template("log_keyvalue", "log")
def log_keyvalue(v: FreshValues) -> list[Part]:
    parts: list[Part] = []
    minute = v.rng.randint(0, 40)
    for i in range(v.rng.randint(3, 5)):
        stamp = f"2024-{v.rng.randint(1, 12):02d}-{v.rng.randint(1, 28):02d}T{v.rng.randint(0, 23):02d}:{minute + i:02d}:{v.rng.randint(0, 59):02d}.{v.rng.randint(0, 999):03d}Z"
        ip = v.ip()
        port = v.rng.randint(1024, 65535)
        addr: list[Part] = ["[", (ip, IP), f"]:{port}"] if ":" in ip else [(ip, IP), f":{port}"]
        kind = v.rng.random()
        p = v.person()
        if kind < 0.35:
            parts += [stamp, ' level=info msg="login ok" user=', (v.email(p), EMAIL), " remote=", *addr, "\n"]
        elif kind < 0.6:
            parts += [
                stamp,
                ' level=warn msg="profile updated" display_name="',
                (v.name(p), PER),
                '" phone="',
                (v.phone(), PHONE),
                '" remote=',
                *addr,
                "\n",
            ]
        elif kind < 0.8:
            parts += [
                stamp,
                ' level=error msg="payout failed" reason=iban_rejected iban=',
                (v.iban().replace(" ", ""), IBAN),
                " requested_by=",
                (v.email(p), EMAIL),
                "\n",
            ]
        else:
            parts += [
                stamp,
                ' level=info msg="card tokenised" pan=',
                (v.card()[0].replace(" ", ""), CARD),
                " remote=",
                *addr,
                "\n",
            ]
    parts.append(
        v.rng.choice(
            (
                "Which of these lines should never have been logged?",
                "Write a regex to mask these log lines before shipping them to the log store.",
                "Group these events by level.",
            )
        )
    )
    return parts


@template("log_nginx_error", "log")
def log_nginx_error(v: FreshValues) -> list[Part]:
    parts: list[Part] = []
    for _ in range(v.rng.randint(2, 4)):
        client = v.ip(4 if v.rng.random() < 0.7 else 6)
        upstream = v.ip_private()
        path = v.rng.choice(("/api/v1/users/me", "/checkout", "/login", "/graphql"))
        parts += [
            f"2024/{v.rng.randint(1, 12):02d}/{v.rng.randint(1, 28):02d} {v.rng.randint(0, 23):02d}:{v.rng.randint(0, 59):02d}:{v.rng.randint(0, 59):02d} [error] {v.rng.randint(100, 9999)}#0: *{v.rng.randint(1, 99999)} upstream timed out (110: Connection timed out) while reading response header from upstream, client: ",
            (client, IP),
            f', server: api.example.com, request: "POST {path} HTTP/1.1", upstream: "http://',
            (upstream, IP),
            f':8080{path}", host: "api.example.com"',
        ]
        if v.rng.random() < 0.5:
            parts += [', x_forwarded_for: "', (v.ip(4), IP), ", ", (v.ip(4), IP), '"']
        parts.append("\n")
    parts.append(
        v.rng.choice(("Is the upstream overloaded or is one client hammering us?", "Summarise the errors by upstream."))
    )
    return parts


@template("sql_crm_upsert", "sql")
def sql_crm_upsert(v: FreshValues) -> list[Part]:
    rows = v.rng.randint(2, 4)
    parts: list[Part] = [
        v.rng.choice(("Rewrite this for SQLite:\n\n", "Why does this upsert fail with a unique violation?\n\n", "")),
        "INSERT INTO crm.contact (contact_id, given_name, family_name, email, mobile, country)\nVALUES\n",
    ]
    last_email = ""
    for i in range(rows):
        p = v.person()
        last_email = v.email(p)
        parts += [
            f"  ({v.rng.randint(1000, 99999)}, '",
            (p.given.replace("'", "''"), PER),
            "', '",
            (p.family.replace("'", "''"), PER),
            "', '",
            (last_email, EMAIL),
            "', '",
            (v.phone(), PHONE),
            "', '",
            (v.country(), LOC),
            "')",
            ",\n" if i < rows - 1 else "\n",
        ]
    parts += [
        "ON CONFLICT (email) DO UPDATE SET mobile = EXCLUDED.mobile;\n\nUPDATE crm.contact SET payout_iban = '",
        (v.iban().replace(" ", ""), IBAN),
        "' WHERE email = '",
        (last_email, EMAIL),
        "';\n",
    ]
    return parts


@template("sepa_batch_table", "table")
def sepa_batch_table(v: FreshValues) -> list[Part]:
    rows = []
    for _ in range(v.rng.randint(3, 5)):
        rows.append((v.name(), v.iban(), f"{v.rng.uniform(20, 4000):.2f}", f"INV-{v.rng.randint(1000, 9999)}"))
    nw = max(len("Creditor"), *(len(r[0]) for r in rows))
    iw = max(len("IBAN"), *(len(r[1]) for r in rows))
    parts: list[Part] = [
        "Check the batch below before I upload it: are all IBANs the right length for their country?\n\n",
        f"| # | {'Creditor'.ljust(nw)} | {'IBAN'.ljust(iw)} |   Amount | Reference |\n",
        f"|---|{'-' * (nw + 2)}|{'-' * (iw + 2)}|----------|-----------|\n",
    ]
    for i, (name, iban, amount, ref) in enumerate(rows, 1):
        parts += [
            f"| {i} | ",
            (name, PER),
            " " * (nw - len(name)),
            " | ",
            (iban, IBAN),
            " " * (iw - len(iban)),
            f" | {amount:>8} | {ref:<9} |\n",
        ]
    parts += ["\nApproved by ", (v.name(), PER), ", questions to ", (v.email(), EMAIL), "\n"]
    return parts


@template("payment_payloads", "code")
def payment_payloads(v: FreshValues) -> list[Part]:
    parts: list[Part] = [">>> pprint(payloads[:3])\n["]
    n = v.rng.randint(2, 3)
    for i in range(n):
        card, brand = v.card()
        name = v.name().upper() if v.rng.random() < 0.5 else v.name()
        brand_part = f"'brand': '{brand.lower()}',\n  " if brand else ""
        parts += [
            "{" if i == 0 else " {",
            f"'amount': {v.rng.randint(5, 900)}.{v.rng.randint(0, 99):02d},\n  ",
            brand_part,
            "'billing_ip': '",
            (v.ip(), IP),
            "',\n  'cardholder': '",
            (name.replace("'", "\\'"), PER),
            f"',\n  'exp': '{v.rng.randint(1, 12):02d}/{v.rng.randint(25, 31)}',\n  'pan': '",
            (card, CARD),
            "'}",
            ",\n" if i < n - 1 else "]\n",
        ]
    parts.append(
        v.rng.choice(
            (
                "Write a pydantic model that validates these payloads.",
                "Which of these would fail a Luhn check?",
                "Mask the PANs to the last four digits.",
            )
        )
    )
    return parts


# 6 E-mail, minutes, reviews, CRM, directory
TITLES = (
    "Senior Data Scientist",
    "Procurement Lead",
    "Office Manager",
    "Head of Facilities",
    "Account Executive",
    "Operations Coordinator",
)


@template("email_reply_chain", "email", pool="places")
def email_reply_chain(v: FreshValues) -> list[Part]:
    sender, me = v.person(), v.person()
    street, town = town_lines(v)
    quoted: list[Part] = [
        "> Hello ",
        (me.given, PER),
        ",\n> please find the revised quote attached. Delivery address is\n> ",
        (street, LOC),
        "\n",
    ]
    for line in town:
        quoted += ["> ", (line, LOC), "\n"]
    quoted += [
        "> Call me on ",
        (v.phone(extension=v.rng.random() < 0.5), PHONE),
        " if anything is unclear.\n> --\n> ",
        (v.name(sender), PER),
        f"\n> {v.rng.choice(TITLES)}\n> M ",
        (v.phone(), PHONE),
        "\n",
    ]
    return [
        "Draft a reply confirming the delivery date, based on this thread.\n\nSubject: Re: quote for the office move\n\nHi ",
        (sender.given, PER),
        ",\nthat works for us, Tuesday morning is fine.\nBest,\n",
        (me.given, PER),
        f"\n\nOn {v.rng.choice(('Mon', 'Tue', 'Wed', 'Thu'))}, {v.rng.randint(1, 28)} {v.rng.choice(('Mar', 'Apr', 'May'))} 2024 at 16:05, ",
        (sender.full, PER),
        " <",
        (v.email(sender), EMAIL),
        "> wrote:\n",
        *quoted,
    ]


@template("meeting_minutes", "minutes")
def meeting_minutes(v: FreshValues) -> list[Part]:
    people = [v.person() for _ in range(v.rng.randint(4, 6))]
    chair, present, apology = people[0], people[1:-1], people[-1]
    remote_city, _ = v.some_city()
    parts: list[Part] = [
        f"MINUTES - Data Governance Board, {v.rng.randint(1, 28)} {v.rng.choice(('May', 'June', 'July'))}\nChair: ",
        (v.name(chair), PER),
        "\nPresent: ",
    ]
    for i, p in enumerate(present):
        parts += ([", "] if i else []) + [(v.name(p), PER)]
    parts += [
        " (remote, from ",
        (remote_city, LOC),
        ")\nApologies: ",
        (v.name(apology), PER),
        "\n\n1. Matters arising\n",
    ]
    parts += [(present[0].given, PER), " confirmed the retention schedule has been applied to the raw event tables.\n"]
    parts += [
        "2. Access review\nACTION ",
        (present[-1].given, PER),
        ": remove leavers from the analytics workspace by month end.\n",
    ]
    parts += [
        "3. AOB\n",
        (chair.given, PER),
        " thanked ",
        (present[0].given, PER),
        " for the audit preparation. Next meeting in six weeks.\n",
    ]
    parts.append(
        v.rng.choice(
            (
                "\nExtract the action items with owners and due dates.",
                "\nWrite a three-sentence summary for the intranet.",
            )
        )
    )
    return parts


@template("product_reviews", "review")
def product_reviews(v: FreshValues) -> list[Part]:
    parts: list[Part] = [
        v.rng.choice(("Rate the sentiment of each review (-1 to 1):\n\n", "Cluster these reviews by topic:\n\n"))
    ]
    for _ in range(v.rng.randint(2, 4)):
        stars = v.rng.randint(1, 5)
        city, country = v.some_city()
        p = v.person()
        who: list[Part] = [(f"{p.given} {p.family[0]}.", PER)] if v.rng.random() < 0.6 else [(p.given, PER)]
        where: list[Part] = [(city, LOC), ", ", (country, LOC)] if v.rng.random() < 0.6 else [(city, LOC)]
        body = v.rng.choice(
            (
                ["The parcel took nine days to reach ", (city, LOC), ", but the kettle works fine."],
                ["Great battery, terrible manual. Support answered within a day."],
                ["Arrived damaged. I sent photos twice and I'm still waiting."],
                ["Bought it as a gift for ", (v.given(), PER), ", who loves it."],
            )
        )
        parts += ["★" * stars + "☆" * (5 - stars), "  by ", *who, " from ", *where, "\n", *body, "\n\n"]
    return parts


@template("crm_activity_notes", "crm")
def crm_activity_notes(v: FreshValues) -> list[Part]:
    p = v.person()
    agent = v.given()
    city, country = v.some_city()
    card, brand = v.card()
    return [
        "Account: ",
        (v.name(p), PER),
        f"  |  Tier: {v.rng.choice(('Gold', 'Silver', 'Standard'))}  |  Owner: ",
        (agent, PER),
        f"\n2024-0{v.rng.randint(1, 4)}-{v.rng.randint(10, 28)} 14:10  Call (outbound) by ",
        (agent, PER),
        ": ",
        (p.given, PER),
        " prefers contact on ",
        (v.phone(), PHONE),
        "; moving to ",
        (city, LOC),
        ", ",
        (country, LOC),
        f" in {v.rng.choice(('May', 'the summer', 'autumn'))}.\n",
        f"2024-0{v.rng.randint(5, 9)}-0{v.rng.randint(1, 9)} 09:02  Email from ",
        (v.email(p), EMAIL),
        f": asks to remove the {brand or 'old'} card ",
        (card, CARD),
        " from the account.\n",
        f"2024-0{v.rng.randint(5, 9)}-1{v.rng.randint(0, 9)} 16:45  Note: spouse ",
        (v.name(), PER),
        " is authorised to discuss billing.\n\nSummarise the account history in three lines.",
    ]


@template("staff_directory", "directory")
def staff_directory(v: FreshValues) -> list[Part]:
    depts = ("Data Science", "Finance", "Legal", "Platform", "Research", "Sales Ops")
    rows = []
    for _ in range(v.rng.randint(3, 6)):
        p = v.person()
        name = v.name_family_first(p) if v.rng.random() < 0.6 else v.name_inverted(p)
        rows.append((name, v.rng.choice(depts), v.phone(extension=v.rng.random() < 0.4), v.email(p)))
    nw = max(len(r[0]) for r in rows)
    dw = max(len(r[1]) for r in rows)
    pw = max(len(r[2]) for r in rows)
    parts: list[Part] = [
        v.rng.choice(
            (
                "Who in this directory works in Data Science?\n\n",
                "Convert this directory to CSV with separate family and given name columns.\n\n",
            )
        )
    ]
    for name, dept, phone, email in rows:
        parts += [
            (name, PER),
            " " * (nw - len(name) + 2),
            dept.ljust(dw + 2),
            (phone, PHONE),
            " " * (pw - len(phone) + 2),
            (email, EMAIL),
            "\n",
        ]
    return parts


# 7 Prose with places, tickets, long documents
@template("bio_relocation", "prose")
def bio_relocation(v: FreshValues) -> list[Part]:
    p = v.person()
    home = v if v.locale.places else v.elsewhere()
    away = v.elsewhere(exclude=(home.locale.code,))
    born_city = home.city()
    born_country = v.country()
    study_city, study_country = away.city(), away.country()
    return [
        v.rng.choice(
            (
                "Shorten this speaker bio to 50 words:\n\n",
                "Translate this bio into plain English for the programme:\n\n",
                "Fix the grammar in this bio:\n\n",
            )
        ),
        (v.name(p), PER),
        " was born in ",
        (born_city, LOC),
        ", ",
        (born_country, LOC),
        v.rng.choice((", and studied statistics in ", ", studied in ", ", and did a PhD in ")),
        (study_city, LOC),
        ", ",
        (study_country, LOC),
        f". After {v.rng.randint(3, 9)} years in industry, ",
        (p.given, PER),
        " relocated to ",
        (away.elsewhere(exclude=(home.locale.code,)).country(), LOC),
        f" in {v.rng.randint(2012, 2023)} to lead a forecasting team, but still spends summers in ",
        (born_city, LOC),
        ".",
    ]


@template("expense_trip", "prose")
def expense_trip(v: FreshValues) -> list[Part]:
    p = v.person()
    legs = [v.elsewhere() for _ in range(3)]
    cities = [leg.city() for leg in legs]
    card, brand = v.card()
    return [
        "Trip report for ",
        (v.name(p), PER),
        ": ",
        (cities[0], LOC),
        " -> ",
        (cities[1], LOC),
        " -> ",
        (cities[2], LOC),
        f" ({v.rng.randint(3, 12)} nights).\n",
        "Hotel in ",
        (cities[1], LOC),
        ", ",
        (legs[1].country(), LOC),
        f": {v.rng.randint(300, 1800)}.00, paid with corporate {brand or 'card'} ",
        (card, CARD),
        ".\nTaxi from the airport in ",
        (cities[2], LOC),
        f": {v.rng.randint(20, 90)}.00, receipt missing.\nReimburse to ",
        (v.iban(), IBAN),
        ".\n\nCheck the report against the travel policy (hotel cap 250 per night).",
    ]


@template("ip_allowlist_ticket", "ticket")
def ip_allowlist_ticket(v: FreshValues) -> list[Part]:
    p = v.person()
    parts: list[Part] = [
        f"TICKET SEC-{v.rng.randint(1000, 9999)}  Allowlist request\nRequester: ",
        (v.name(p), PER),
        " <",
        (v.email(p), EMAIL),
        ">\nPhone: ",
        (v.phone(extension=v.rng.random() < 0.4), PHONE),
        "\nPlease allow these addresses to reach the warehouse:\n",
    ]
    for _ in range(v.rng.randint(2, 4)):
        notes: tuple[list[Part], ...] = (
            ["  (home office)"],
            ["  (VPN exit)"],
            [""],
            ["  (contractor laptop of ", (v.given(), PER), ")"],
        )
        note = v.rng.choice(notes)
        parts += ["  - ", (v.ip(), IP), *note, "\n"]
    parts.append(
        v.rng.choice(
            ("Is any of these a private address that doesn't need allowlisting?", "Write the firewall rules for these.")
        )
    )
    return parts


def _para_parties(v: FreshValues) -> list[Part]:
    a, b = v.person(), v.person()
    street, town = town_lines(v)
    return [
        "The complainant, ",
        (v.name(a), PER),
        ", lives at ",
        (street, LOC),
        ", ",
        *joined(town, LOC, ", "),
        ", and has held an account since 2017. The account was opened jointly with ",
        (b.full, PER),
        ", who moved to ",
        (v.elsewhere().country(), LOC),
        " in 2021 and no longer uses it. ",
        (a.given, PER),
        " can be reached on ",
        (v.phone(), PHONE),
        " or at ",
        (v.email(a), EMAIL),
        ". ",
    ]


def _para_timeline(v: FreshValues) -> list[Part]:
    card, _ = v.card()
    return [
        f"On {v.rng.randint(1, 28)} {v.rng.choice(('January', 'February', 'April', 'August'))} three card-not-present payments were made with card ",
        (card, CARD),
        ", each just under the review threshold. The sessions came from ",
        (v.ip(), IP),
        " and ",
        (v.ip(), IP),
        ", neither of which had been seen on the account before. A transfer of the remaining balance to ",
        (v.iban(), IBAN),
        " was attempted forty minutes later and stopped by the fraud rules. ",
    ]


def _para_staff(v: FreshValues) -> list[Part]:
    analyst = v.person()
    return [
        "The case was handled by ",
        (v.name(analyst), PER),
        " from the fraud team, who called the customer back from ",
        (v.phone(extension=True), PHONE),
        ". ",
        (analyst.given, PER),
        " noted that the customer had recently changed phones and had been travelling in ",
        (v.elsewhere().city(), LOC),
        ". ",
    ]


FILLER = (
    "The controls that applied at the time were the standard velocity checks and the device fingerprint score; "
    "neither triggered because the amounts were small and the device had been enrolled the week before. ",
    "The review looked at the decision logs, the call recordings and the notes in the case system. No evidence "
    "was found that staff disclosed information to a third party. ",
    "We recommend that the threshold for card-not-present payments from new devices is lowered, and that "
    "customers are told by push notification when a new device is enrolled. ",
    "The model that scores these sessions was last retrained eleven months ago; drift in the device features "
    "is visible in the monitoring dashboard from the second quarter onwards. ",
    "Costs of the reimbursement are borne by the operating budget of the department. No regulatory "
    "notification is required because fewer than ten customers were affected. ",
    "Interviews with the two agents involved confirmed that the scripted identity checks were followed, although "
    "the second call took longer than the target handling time because the customer was driving. ",
    "The payment processor confirmed the chargebacks within the usual window, and the merchant did not contest "
    "them. The amounts have been credited back in full. ",
    "A sample of similar cases from the same month showed the same pattern in four of thirty files, which "
    "suggests the issue is systemic rather than a one-off failure of a single control. ",
    "Training material for new staff will be updated with this case, anonymised, as a worked example of how "
    "to escalate when the customer's story and the device data disagree. ",
)


@template("long_case_file", "document", pool="places")
def long_case_file(v: FreshValues) -> list[Part]:
    parts: list[Part] = [
        v.rng.choice(
            (
                "Summarise this case file in five bullet points for the risk committee.\n\n",
                "Extract a timeline (date, event, actor) from this report.\n\n",
            )
        ),
        f"CASE FILE FR-{v.rng.randint(10000, 99999)}\n\n",
    ]
    plan: list[tuple[str, Callable[[FreshValues], list[Part]] | None]] = [
        ("Background", None),
        ("Parties", _para_parties),
        ("Timeline", _para_timeline),
        ("Handling", _para_staff),
        ("Findings", None),
        ("Recommendations", None),
    ]
    target = v.rng.randint(2100, 3000)
    length = 0
    annex = 0
    while length < target:
        if plan:
            title, builder = plan.pop(0)
        else:
            annex += 1
            title, builder = f"Annex {annex}: related case", v.rng.choice((_para_parties, _para_timeline, _para_staff))
        block: list[Part] = [f"{title}\n"]
        if builder is not None:
            block += builder(v)
        block += [*v.rng.sample(FILLER, v.rng.randint(1, 2)), "\n\n"]
        parts += block
        length = sum(len(p if isinstance(p, str) else p[0]) for p in parts)
    parts += ["Prepared by ", (v.name(), PER), ", ", (v.email(), EMAIL), "\n"]
    return parts
