"""Templates of text with personal data, in the shapes people paste into a notebook's AI calls."""
# ruff: noqa: E501  (template lines are kept whole so each reads as the text it produces)

from __future__ import annotations

import json
from collections.abc import Callable

from sample import Part
from secret_formats import FORMATS, HELDOUT_FAMILIES
from secret_values import make
from values import Values

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

Template = Callable[[Values], list[Part]]
TEMPLATES: list[tuple[str, str, Template]] = []  # (name, kind, template)


def template(name: str, kind: str) -> Callable[[Template], Template]:
    def register(fn: Template) -> Template:
        TEMPLATES.append((name, kind, fn))
        return fn

    return register


def postal_block(v: Values, country: bool) -> list[Part]:
    """An address block, each line its own LOCATION span."""
    parts: list[Part] = []
    lines = v.address_lines()
    for i, line in enumerate(lines):
        parts += [(line, LOC)] + (["\n"] if i < len(lines) - 1 else [])
    if country:
        parts += ["\n", (v.country(), LOC)]
    return parts


def inline_address(v: Values) -> list[Part]:
    """An address on one line: its lines joined by commas, each still its own span."""
    parts: list[Part] = []
    lines = v.address_lines()
    for i, line in enumerate(lines):
        parts += [(line, LOC)] + ([", "] if i < len(lines) - 1 else [])
    return parts


# Chat-style customer messages
@template("chat_bank_card", "chat")
def chat_bank_card(v: Values) -> list[Part]:
    g = v.given_name()
    return [
        v.rng.choice(("Hi, ", "Hello, ", "Good morning, ", "")),
        "I'm ",
        (g, PER),
        ". My card ",
        (v.card(), CARD),
        " was declined twice at a shop in ",
        (v.city(), LOC),
        " today. Can you call me back on ",
        (v.phone(), PHONE),
        "?",
    ]


@template("chat_greeting_given_name", "chat")
def chat_greeting_given_name(v: Values) -> list[Part]:
    g = v.given_name()
    return [
        v.rng.choice(("Hi ", "Hey ", "Dear ", "Hello ")),
        (g, PER),
        v.rng.choice((",\n", ", ", "!\n")),
        "thanks for getting back to me. I moved last month, the new address is ",
        *inline_address(v),
        ". Please update my account and send the statement there.\n",
        v.rng.choice(("Best, ", "Cheers, ", "Regards, ", "")),
        (v.given_name(), PER),
    ]


@template("chat_wire_transfer", "chat")
def chat_wire_transfer(v: Values) -> list[Part]:
    return [
        "Hello, this is ",
        (v.person_name(), PER),
        ". I sent a transfer from ",
        (v.iban(), IBAN),
        " on Monday and it still shows as pending. Reach me at ",
        (v.email(), EMAIL),
        " or ",
        (v.phone(), PHONE),
        ".",
    ]


@template("chat_titled_complaint", "chat")
def chat_titled_complaint(v: Values) -> list[Part]:
    return [
        'Classify the sentiment of this message: "My name is ',
        v.title(),
        " ",
        (v.person_name(), PER),
        " and I have been a customer in ",
        (v.city(), LOC),
        " for ten years. Your branch charged my card ",
        (v.card(), CARD),
        ' twice. I want a refund."',
    ]


@template("chat_phone_extension", "chat")
def chat_phone_extension(v: Values) -> list[Part]:
    return [
        "Please summarise the voicemail: caller ",
        (v.person_name(), PER),
        " asked us to ring back at ",
        (v.phone_with_extension(), PHONE),
        " about invoice 4471 before Friday.",
    ]


@template("chat_short_given_names", "chat")
def chat_short_given_names(v: Values) -> list[Part]:
    a, b = v.given_name(), v.given_name()
    return [
        (a, PER),
        ": did you get the export?\n",
        (b, PER),
        ": yes, sending it now\n",
        (a, PER),
        ": thanks! also ping ",
        (v.given_name(), PER),
        " about the dashboard\nRewrite this thread as a status update.",
    ]


@template("chat_lost_card_ssn", "chat")
def chat_lost_card_ssn(v: Values) -> list[Part]:
    return [
        'Customer says: "I lost my wallet. Card ending ',
        (v.card(), CARD),
        ", SSN ",
        (v.ssn(), SSN),
        ". I'm ",
        (v.person_name(), PER),
        ", I live at ",
        *inline_address(v),
        '." Draft a reply.',
    ]


# Postal blocks
@template("postal_block_letter", "postal")
def postal_block_letter(v: Values) -> list[Part]:
    return [
        (v.person_name(), PER),
        "\n",
        *postal_block(v, country=v.rng.random() < 0.7),
        "\n\nExtract the recipient's address into JSON with keys street, postcode, city, country.",
    ]


@template("postal_block_shipping", "postal")
def postal_block_shipping(v: Values) -> list[Part]:
    return [
        "Ship to:\n",
        v.title() + " " if v.rng.random() < 0.4 else "",
        (v.person_name(), PER),
        "\n",
        *postal_block(v, country=True),
        "\nTel. ",
        (v.phone(), PHONE),
        "\n\nIs this address complete?",
    ]


@template("postal_country_alone", "postal")
def postal_country_alone(v: Values) -> list[Part]:
    return ["Normalise this address:\n", *postal_block(v, country=False), "\n", (v.locale.country, LOC), "\n"]


# Tables
@template("csv_customers", "csv")
def csv_customers(v: Values) -> list[Part]:
    parts: list[Part] = ["Find duplicates in this CSV:\n", "customer_id,name,email,phone,city\n"]
    for _i in range(v.rng.randint(2, 5)):
        p = v.person()
        name = p.full if v.rng.random() < 0.8 else f"{p.first} {p.initial}. {p.last}"
        parts += [
            str(1000 + v.rng.randint(0, 8999)),
            ",",
            (name, PER),
            ",",
            (v.email(p), EMAIL),
            ",",
            (v.phone(), PHONE),
            ",",
            (v.city(), LOC),
            "\n",
        ]
    return parts


@template("csv_payments", "csv")
def csv_payments(v: Values) -> list[Part]:
    parts: list[Part] = ["txn_id;card_number;amount;ip\n"]
    for _ in range(v.rng.randint(2, 5)):
        parts += [
            f"T{v.rng.randint(100000, 999999)}",
            ";",
            (v.card(), CARD),
            ";",
            f"{v.rng.uniform(3, 900):.2f}",
            ";",
            (v.ip(), IP),
            "\n",
        ]
    parts.append("Which transactions look like card testing?")
    return parts


@template("tsv_crm_export", "csv")
def tsv_crm_export(v: Values) -> list[Part]:
    parts: list[Part] = ["first_name\tlast_name\tcountry\tiban\n"]
    for _ in range(v.rng.randint(2, 4)):
        p = v.person()
        parts += [
            (p.first, PER),
            "\t",
            (p.last, PER),
            "\t",
            (v.country(), LOC),
            "\t",
            (v.iban().replace(" ", ""), IBAN),
            "\n",
        ]
    parts.append("Group the rows by country and count them.")
    return parts


@template("markdown_table_contacts", "csv")
def markdown_table_contacts(v: Values) -> list[Part]:
    parts: list[Part] = ["| Name | Phone | Office |\n|---|---|---|\n"]
    for _ in range(v.rng.randint(2, 4)):
        parts += ["| ", (v.person_name(), PER), " | ", (v.phone(), PHONE), " | ", (v.city(), LOC), " |\n"]
    parts.append("\nTurn this table into a bulleted list.")
    return parts


# JSON records
def json_record(v: Values, fields: list[tuple[str, str, str | None]]) -> list[Part]:
    parts: list[Part] = ["{"]
    for i, (key, value, kind) in enumerate(fields):
        encoded = json.dumps(value, ensure_ascii=False)[1:-1]
        parts += [("" if i == 0 else ", ") + json.dumps(key) + ': "', (encoded, kind) if kind else encoded, '"']
    parts.append("}")
    return parts


@template("json_customer_record", "json")
def json_customer_record(v: Values) -> list[Part]:
    p = v.person()
    lines = v.address_lines()
    fields = [
        ("id", f"cus_{v.rng.randint(10**5, 10**6)}", None),
        ("name", p.full, PER),
        ("email", v.email(p), EMAIL),
        ("phone", v.phone(), PHONE),
        ("street", lines[0], LOC),
        ("city", v.city(), LOC),
        ("country", v.country(), LOC),
    ]
    return ["Validate this record against the schema:\n", *json_record(v, fields)]


@template("json_support_ticket", "json")
def json_support_ticket(v: Values) -> list[Part]:
    fields = [
        ("ticket", str(v.rng.randint(1000, 99999)), None),
        ("from", v.person_name(), PER),
        ("ip", v.ip(), IP),
        ("card", v.card(), CARD),
        ("status", v.rng.choice(("open", "pending", "closed")), None),
    ]
    return [*json_record(v, fields), "\nWrite a one-line summary of the ticket above."]


@template("jsonl_events", "json")
def jsonl_events(v: Values) -> list[Part]:
    parts: list[Part] = []
    for _ in range(v.rng.randint(2, 4)):
        fields = [
            ("event", v.rng.choice(("login", "logout", "password_reset")), None),
            ("user", v.email(), EMAIL),
            ("ip", v.ip(), IP),
        ]
        parts += [*json_record(v, fields), "\n"]
    parts.append("Are any of these events suspicious?")
    return parts


# Logs and traces
@template("log_auth_failures", "log")
def log_auth_failures(v: Values) -> list[Part]:
    parts: list[Part] = []
    for i in range(v.rng.randint(3, 6)):
        parts += [
            f"2024-0{v.rng.randint(1, 9)}-{v.rng.randint(10, 28)}T{v.rng.randint(10, 23)}:{v.rng.randint(10, 59)}:0{i}Z WARN auth ",
            "login failed user=",
            (v.email(), EMAIL),
            " src=",
            (v.ip(), IP),
            "\n",
        ]
    parts.append("Explain the pattern in these log lines.")
    return parts


@template("log_http_access", "log")
def log_http_access(v: Values) -> list[Part]:
    parts: list[Part] = []
    for _ in range(v.rng.randint(2, 5)):
        parts += [
            (v.ip(), IP),
            " - - [12/Mar/2024:10:0",
            str(v.rng.randint(0, 9)),
            ':13 +0000] "GET /api/v2/orders HTTP/1.1" ',
            str(v.rng.choice((200, 200, 401, 500))),
            " ",
            str(v.rng.randint(200, 9000)),
            "\n",
        ]
    parts.append("Which clients hit errors?")
    return parts


@template("trace_with_customer", "trace")
def trace_with_customer(v: Values) -> list[Part]:
    return [
        'Why does this fail?\nTraceback (most recent call last):\n  File "etl/load.py", line 88, in upsert\n',
        "    db.save(customer)\nValueError: duplicate key for customer ",
        (v.person_name(), PER),
        " <",
        (v.email(), EMAIL),
        ">, phone ",
        (v.phone(), PHONE),
        "\n",
    ]


# Code with personal data
@template("code_dataframe_literal", "code")
def code_dataframe_literal(v: Values) -> list[Part]:
    parts: list[Part] = ['import pandas as pd\n\ndf = pd.DataFrame({\n    "name": [']
    people = [v.person_name() for _ in range(3)]
    for i, name in enumerate(people):
        parts += ['"', (name, PER), '"', ", " if i < 2 else ""]
    parts += ['],\n    "ssn": [']
    for i in range(3):
        parts += ['"', (v.ssn(), SSN), '"', ", " if i < 2 else ""]
    parts.append('],\n})\n# why does df.merge(accounts, on="ssn") drop rows?')
    return parts


@template("code_test_fixture", "code")
def code_test_fixture(v: Values) -> list[Part]:
    return [
        'Fix this test:\n\ndef test_send_invoice():\n    customer = Customer(name="',
        (v.person_name(), PER),
        '", email="',
        (v.email(), EMAIL),
        '",\n                        iban="',
        (v.iban().replace(" ", ""), IBAN),
        '")\n    assert send_invoice(customer).ok\n',
    ]


@template("sql_insert_rows", "code")
def sql_insert_rows(v: Values) -> list[Part]:
    parts: list[Part] = ["INSERT INTO customers (name, city, phone) VALUES\n"]
    n = v.rng.randint(2, 4)
    for i in range(n):
        parts += [
            "  ('",
            (v.person_name().replace("'", "''"), PER),
            "', '",
            (v.city().replace("'", "''"), LOC),
            "', '",
            (v.phone(), PHONE),
            "')",
            ",\n" if i < n - 1 else ";\n",
        ]
    parts.append("Rewrite this as a COPY statement.")
    return parts


# Emails and documents
@template("email_forwarded", "email")
def email_forwarded(v: Values) -> list[Part]:
    sender = v.person()
    return [
        "---------- Forwarded message ---------\nFrom: ",
        (sender.full, PER),
        " <",
        (v.email(sender), EMAIL),
        ">\nSubject: Re: contract renewal\n\nHi ",
        (v.given_name(), PER),
        ",\n\nplease find attached the signed copy. ",
        "Our office moved to ",
        *inline_address(v),
        ". My direct line is ",
        (v.phone(), PHONE),
        ".\n\nKind regards,\n",
        (sender.first, PER),
        "\n\nDraft a polite acknowledgement.",
    ]


@template("email_signature", "email")
def email_signature(v: Values) -> list[Part]:
    p = v.person()
    return [
        "Summarise this email in two bullet points.\n\nThe quarterly numbers are in the shared folder; revenue is up ",
        "4% but churn rose in the smallest segment. Let's discuss on Thursday.\n\n--\n",
        (p.full, PER),
        "\nHead of Analytics\n",
        *postal_block(v, country=v.rng.random() < 0.5),
        "\nM: ",
        (v.phone(), PHONE),
        "\nE: ",
        (v.email(p), EMAIL),
        "\n",
    ]


def paragraph_people(v: Values) -> list[Part]:
    p = v.person()
    return [
        ("Mr. " if v.rng.random() < 0.3 else ""),
        (p.full, PER),
        " joined the programme in ",
        (v.city(), LOC),
        " after several years in ",
        (v.country(), LOC),
        ". Colleagues describe ",
        (p.first, PER),
        " as careful with data and generous with time; the team's weekly reviews started at ",
        (p.first, PER),
        "'s suggestion and are now standard practice across the department. ",
    ]


def paragraph_payment(v: Values) -> list[Part]:
    return [
        "The reimbursement for the conference travel was paid to ",
        (v.iban(), IBAN),
        " on the 3rd. A second payment, ",
        "by card ",
        (v.card(), CARD),
        ", was refunded after the hotel cancelled. For questions about either ",
        "payment, the finance desk can be reached at ",
        (v.phone(), PHONE),
        " or ",
        (v.email(), EMAIL),
        ". ",
    ]


def paragraph_incident(v: Values) -> list[Part]:
    return [
        "During the incident window the gateway logged requests from ",
        (v.ip(), IP),
        " and ",
        (v.ip(), IP),
        ", both outside the expected ranges. The on-call engineer, ",
        (v.person_name(), PER),
        ", rotated the credentials and blocked both addresses within forty minutes. No customer data left the ",
        "system, according to the audit that followed. ",
    ]


FILLER = (
    "The model was retrained on the last eighteen months of data, with the holdout set kept fixed so the figures "
    "stay comparable across quarters. Precision improved slightly while recall stayed flat, which suggests the new "
    "features mostly help with the easy cases. ",
    "We agreed to revisit the thresholds once the next batch of labels arrives, and to document every change in "
    "the model card so that the review board can follow the reasoning without attending every meeting. ",
    "Storage costs grew faster than expected because intermediate parquet files were never cleaned up; a nightly "
    "job now removes anything older than two weeks unless it is tagged for retention. ",
    "The survey response rate was lower than last year, so the confidence intervals are wider and the regional "
    "breakdowns should be read with care. ",
)


@template("document_long_report", "document")
def document_long_report(v: Values) -> list[Part]:
    parts: list[Part] = ["Summarise the following report for an executive audience.\n\n"]
    builders = [paragraph_people, paragraph_payment, paragraph_incident]
    target = v.rng.randint(2000, 6000)
    length = 0
    while length < target:
        block = v.rng.choice(builders)(v) if v.rng.random() < 0.55 else [v.rng.choice(FILLER)]
        block += [v.rng.choice(FILLER), "\n\n"]
        parts += block
        length += sum(len(p if isinstance(p, str) else p[0]) for p in block)
    return parts


@template("document_meeting_notes", "document")
def document_meeting_notes(v: Values) -> list[Part]:
    attendees = [v.person_name() for _ in range(v.rng.randint(3, 5))]
    parts: list[Part] = ["Meeting notes, project kickoff\nAttendees: "]
    for i, name in enumerate(attendees):
        parts += [(name, PER), ", " if i < len(attendees) - 1 else "\n"]
    parts += [
        "Location: office in ",
        (v.city(), LOC),
        "\n\nDecisions:\n- ",
        (v.person().first, PER),
        " owns the data pipeline.\n- Budget questions go to ",
        (v.email(), EMAIL),
        ".\n",
    ]
    for _ in range(v.rng.randint(3, 8)):
        parts += ["- ", v.rng.choice(FILLER), "\n"]
    parts.append("\nTurn these notes into action items with owners.")
    return parts


# Place-heavy prose
@template("chat_travel_places", "chat")
def chat_travel_places(v: Values) -> list[Part]:
    return [
        "I'm flying from ",
        (v.city(), LOC),
        " to ",
        (v.country(), LOC),
        " next week and staying at ",
        *inline_address(v),
        ". Can you suggest how to get from the airport?",
    ]


@template("form_kyc", "form")
def form_kyc(v: Values) -> list[Part]:
    p = v.person()
    return [
        "Full name: ",
        (f"{p.first} {p.initial}. {p.last}" if v.rng.random() < 0.5 else p.full, PER),
        "\nDate of birth: 1987-04-12\n",
        "Address: ",
        *inline_address(v),
        "\nCountry: ",
        (v.country(), LOC),
        "\nPhone: ",
        (v.phone(), PHONE),
        "\nSSN: ",
        (v.ssn(), SSN),
        "\n\nCheck which fields are missing for KYC.",
    ]


# Code with a key in it
@template("code_notebook_cell_with_key", "code")
def code_notebook_cell_with_key(v: Values) -> list[Part]:
    family, _, shape, env = v.rng.choice(
        [f for f in FORMATS if not f[2].startswith("@pem") and f[0] not in HELDOUT_FAMILIES]
    )
    key = make(shape, v.rng)
    return [
        "import os, requests\n\n",
        f'os.environ["{env}"] = "',
        (key, "SECRET"),
        '"\n',
        'resp = requests.post(API_URL, json={"customer": "',
        (v.person_name(), PER),
        '", "email": "',
        (v.email(), EMAIL),
        '"})\n# ',
        family,
        " returns 403 for this customer, why?",
    ]


# More shapes: bank chat, transcripts, tables as printed, letters, records in other syntaxes
@template("chat_bank_debit", "chat")
def chat_bank_debit(v: Values) -> list[Part]:
    opener = v.rng.choice(("Hello,", "Hi there,", "Good afternoon.", "To whom it may concern,", "hey"))
    return [
        opener,
        " my name is ",
        (v.person_name(), PER),
        v.rng.choice((" and ", ". ")),
        v.rng.choice(
            (
                "I don't recognise a debit of 249.90 on my account ",
                "there is a direct debit I never set up on ",
                "someone withdrew money from ",
            )
        ),
        (v.iban(), IBAN),
        ". ",
        v.rng.choice(("Please call me on ", "My number is ", "You can reach me at ")),
        (v.phone(), PHONE),
        v.rng.choice((".", " after 5pm.", ", thanks.")),
        "\nClassify this message by intent and urgency.",
    ]


@template("chat_address_block", "chat")
def chat_address_block(v: Values) -> list[Part]:
    return [
        v.rng.choice(("Hi, ", "Hello, ", "")),
        "please send the replacement card to my new address:\n\n",
        *postal_block(v, country=v.rng.random() < 0.6),
        "\n\nThanks,\n",
        (v.given_name(), PER),
        "\n\nExtract the address fields from this message.",
    ]


@template("sms_short", "chat")
def sms_short(v: Values) -> list[Part]:
    ending: list[Part] = v.rng.choice(
        ([" twice!! refund pls"], [" lost it in ", (v.city(), LOC)], [" not working in ", (v.city(), LOC), " atm"])
    )
    return [
        (v.given_name(), PER),
        v.rng.choice((" here - ", " here. ", ": ")),
        v.rng.choice(("app charged my card ", "pls block card ", "card ")),
        (v.card(), CARD),
        *ending,
        "\nTranslate into a formal support ticket.",
    ]


@template("support_transcript", "transcript")
def support_transcript(v: Values) -> list[Part]:
    p = v.person()
    lines = v.address_lines()
    return [
        "Summarise this call transcript.\n\nAgent: Thanks for calling, who am I speaking with?\nCustomer: It's ",
        (p.full, PER),
        ".\nAgent: Thank you, ",
        (p.first, PER),
        ". Can you confirm the first line of your address?\nCustomer: ",
        (lines[0], LOC),
        ".\nAgent: And the e-mail on the account?\nCustomer: ",
        (v.email(p), EMAIL),
        ".\nAgent: Great, I can see the payment from card ending ",
        str(v.rng.randint(1000, 9999)),
        ". I'll raise a dispute today.\n",
    ]


@template("csv_people_columns", "csv")
def csv_people_columns(v: Values) -> list[Part]:
    parts: list[Part] = ["first_name,last_name,email,phone,street,city,country\n"]
    for _ in range(v.rng.randint(2, 4)):
        p = v.person()
        street = v.address_lines()[0]
        quoted = f'"{street}"' if "," in street else street
        start = quoted.index(street)
        parts += [
            (p.first, PER),
            ",",
            (p.last, PER),
            ",",
            (v.email(p), EMAIL),
            ",",
            (v.phone(), PHONE),
            ",",
            quoted[:start],
            (street, LOC),
            quoted[start + len(street) :],
            ",",
            (v.city(), LOC),
            ",",
            (v.country(), LOC),
            "\n",
        ]
    parts.append("Why does pd.read_csv split some rows into extra columns?")
    return parts


@template("dataframe_head_output", "table")
def dataframe_head_output(v: Values) -> list[Part]:
    rows = [(v.person_name(), v.city(), v.phone()) for _ in range(v.rng.randint(3, 5))]
    w_name = max(len(r[0]) for r in rows) + 2
    w_city = max(len(r[1]) for r in rows) + 2
    parts: list[Part] = [">>> df.head()\n", "   " + "name".ljust(w_name) + "city".ljust(w_city) + "phone\n"]
    for i, (name, city, phone) in enumerate(rows):
        parts += [
            f"{i}  ",
            (name, PER),
            " " * (w_name - len(name)),
            (city, LOC),
            " " * (w_city - len(city)),
            (phone, PHONE),
            "\n",
        ]
    parts.append("\nHow do I normalise the phone column to E.164?")
    return parts


@template("letter_formal_surname", "letter")
def letter_formal_surname(v: Values) -> list[Part]:
    p = v.person()
    title = v.rng.choice(("Mr", "Ms", "Mrs", "Dr", "Mr.", "Ms.", "Dr."))
    return [
        "Proofread this letter:\n\n",
        *postal_block(v, country=v.rng.random() < 0.5),
        "\n\nDear ",
        title,
        " ",
        (p.last, PER),
        ",\n\nthank you for your letter of 4 March. We have closed the account ending in ",
        str(v.rng.randint(1000, 9999)),
        " and will transfer the balance to ",
        (v.iban(), IBAN),
        " within five working days.\n\nYours sincerely,\n",
        (v.person_name(), PER),
        "\nCustomer Relations",
    ]


@template("python_repr_records", "code")
def python_repr_records(v: Values) -> list[Part]:
    parts: list[Part] = ["print(records[:3]) gives\n["]
    n = v.rng.randint(2, 3)
    for i in range(n):
        parts += [
            "{'name': '",
            (v.person_name().replace("'", "\\'"), PER),
            "', 'ip': '",
            (v.ip(), IP),
            "', 'ssn': '",
            (v.ssn(), SSN),
            "'}",
            ", " if i < n - 1 else "]\n",
        ]
    parts.append("How do I turn this into a DataFrame?")
    return parts


@template("xml_customer", "xml")
def xml_customer(v: Values) -> list[Part]:
    p = v.person()
    lines = v.address_lines()
    return [
        '<customer id="',
        str(v.rng.randint(1000, 99999)),
        '">\n  <name>',
        (p.full, PER),
        "</name>\n  <email>",
        (v.email(p), EMAIL),
        "</email>\n  <street>",
        (lines[0], LOC),
        "</street>\n  <city>",
        (v.city(), LOC),
        "</city>\n  <phone>",
        (v.phone(), PHONE),
        "</phone>\n</customer>\nConvert this XML to JSON.",
    ]


@template("region_sales_note", "chat")
def region_sales_note(v: Values) -> list[Part]:
    region = v.region()
    where: list[Part] = [(region, LOC), ", "] if region else []
    return [
        "Account manager ",
        (v.person_name(), PER),
        " says the client in ",
        (v.city(), LOC),
        ", ",
        *where,
        (v.country(), LOC),
        " wants a call about the renewal. Draft a short agenda.",
    ]


@template("log_payment_errors", "log")
def log_payment_errors(v: Values) -> list[Part]:
    parts: list[Part] = []
    for _ in range(v.rng.randint(2, 4)):
        parts += [
            f"[{v.rng.choice(('ERROR', 'WARN'))}] payments.charge failed code={v.rng.choice(('card_declined', 'expired_card', 'do_not_honor'))} card=",
            (v.card(), CARD),
            " customer=",
            (v.email(), EMAIL),
            " ip=",
            (v.ip(), IP),
            "\n",
        ]
    parts.append("Group these failures by code.")
    return parts


@template("invoice_document", "document")
def invoice_document(v: Values) -> list[Part]:
    p = v.person()
    parts: list[Part] = [
        "Check this invoice for errors.\n\nINVOICE 2024-",
        str(v.rng.randint(100, 999)),
        "\n\nBill to:\n",
        (p.full, PER),
        "\n",
        *postal_block(v, country=True),
        "\n\n",
    ]
    for item in v.rng.sample(
        ("Data labelling, 40 h", "GPU hours, 120", "Dashboard licence", "Consulting, 2 days", "Storage, 5 TB"), 3
    ):
        parts.append(f"{item:<28}{v.rng.uniform(100, 4000):>10.2f}\n")
    parts += ["\nPay to ", (v.iban(), IBAN), "\nQuestions: ", (v.email(), EMAIL), " / ", (v.phone(), PHONE), "\n"]
    return parts
