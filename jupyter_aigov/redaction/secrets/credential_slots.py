"""Secrets in the slots made for them, whatever the key: `Authorization: Bearer/Basic`, a URL's userinfo, a
connection string's `password=...;`, `curl -u`, `auth=(user, password)`, SQL's `IDENTIFIED BY`, a command's
password flag, and sentences that name a secret and then give it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from jupyter_aigov.redaction.secrets.context import acceptable_in_prose, acceptable_key, trim
from jupyter_aigov.redaction.secrets.entropy import shannon_entropy
from jupyter_aigov.redaction.secrets.keywords import lines_holding
from jupyter_aigov.redaction.secrets.lookalikes import is_placeholder, is_reference

_BEARER = re.compile(r"(?i:\bbearer)\s+(?P<value>[A-Za-z0-9._~+/-]{16,}=*)")
_BASIC = re.compile(r"(?i:\bbasic)\s+(?P<value>[A-Za-z0-9+/]{12,}={0,2})(?![A-Za-z0-9+/=])")
_USERINFO = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s:/@\"'`]{1,80}:(?P<value>[^\s@/\"'`]{3,200})@[\w.-]")
_CURL_USER = re.compile(r"(?:^|\s)(?:-u|--user)[\s=]+[\"']?[^\s:\"']{1,80}:(?P<value>[^\s\"']{3,200})")
_AUTH_TUPLE = re.compile(
    r"(?i:auth\w*)\s*[=(]\s*\(?\s*[\"'][^\"'\n]{1,80}[\"']\s*,\s*[\"'](?P<value>[^\"'\n]{4,200})[\"']"
)
# `...;Password=p&ss;...` (JDBC, ODBC, ADO.NET): the value runs to the `;`, `&` and all.
_CONNECTION_PASSWORD = re.compile(
    r"(?i:(?<=;)|(?<=^))\s*(?i:password|pwd)\s*=\s*(?P<value>\{[^}\n]*\}|[^;\n\"']+)(?=;)", re.M
)
# A sentence that names a secret, then gives it: "the Duo API key, new one is X", "my token: X".
_PROSE = re.compile(
    r"(?<![:/])(?i:\b(?:api[ _-]?key|key|token|secret|credential|password|passphrase)s?\b)[^\n]{0,60}?"
    r"(?:\bis\b|:|=)\s*[\"'`]?(?P<value>[A-Za-z0-9][\w.~+/=-]{11,400})"
)
_SQL_PASSWORD = re.compile(
    r"(?i:\bidentified\s+by|\bwith\s+(?:encrypted\s+)?password)\s+[\"']?(?P<value>[^\s\"';]{4,200})"
)
# The commands whose -p is a password (elsewhere -p is a port or a path): mysql -pSECRET, sshpass -p SECRET, ...
_COMMAND_PASSWORD = re.compile(
    r"(?i:\b(?:sshpass|mysql\w*|az\s+login|docker\s+login|sqlcmd|mongo\w*|psexec)\b)[^\n]*?"
    r"\s(?:-p\s*|--password[=\s]+)[\"']?(?P<value>[^\s\"']{4,200})"
)
_XML_ELEMENT = re.compile(r"<(?i:[\w.-]*(?:password|passwd|secret|token|api_?key)[\w.-]*)>(?P<value>[^<\s]{4,400})</")


def acceptable_password_in_url(value: str) -> bool:
    """A password in its slot: anything but a stand-in or a reference (short ones count too)."""
    return not (is_placeholder(value) or is_reference(value) or value.startswith("$"))


def _acceptable_basic(value: str) -> bool:
    return shannon_entropy(value) >= 3.0 and not is_placeholder(value)


def _acceptable_bearer(value: str) -> bool:
    """After `Bearer` anything long is a credential, digits only included, unless a stand-in or a reference."""
    return acceptable_key(value) or (
        len(value) >= 16 and not is_placeholder(value) and not is_reference(value) and shannon_entropy(value) >= 2.5
    )


# (rule, regex with group `value`, what a value must be, words a line needs before the regex runs on it: the
# regexes start with a class or a case-insensitive word, which the engine cannot search for quickly)
RULES: tuple[tuple[str, re.Pattern[str], Callable[[str], bool], tuple[str, ...]], ...] = (
    ("connection_string_password", _CONNECTION_PASSWORD, acceptable_password_in_url, ("password", "pwd")),
    ("secret_in_prose", _PROSE, acceptable_in_prose, ("key", "token", "secret", "credential", "password")),
    ("bearer_token", _BEARER, _acceptable_bearer, ("bearer",)),
    ("basic_auth_header", _BASIC, _acceptable_basic, ("basic",)),
    ("url_password", _USERINFO, acceptable_password_in_url, ("://",)),
    ("curl_user_password", _CURL_USER, acceptable_password_in_url, ("-u", "--user")),
    ("auth_tuple_password", _AUTH_TUPLE, acceptable_password_in_url, ("auth",)),
    ("sql_password", _SQL_PASSWORD, acceptable_password_in_url, ("identified", "password")),
    ("command_password", _COMMAND_PASSWORD, acceptable_password_in_url, ("-p", "--password")),
    ("xml_element_secret", _XML_ELEMENT, acceptable_password_in_url, ("</",)),
)


def find_in_slots(text: str) -> Iterator[tuple[str, int, int]]:
    """Each secret in a slot made for one, as (rule, start, end)."""
    lowered = text.lower()
    for rule, regex, accept, words in RULES:
        for match in (m for start, end in lines_holding(lowered, words) for m in regex.finditer(text, start, end)):
            value = trim(match.group("value"))
            if accept(value):
                yield rule, match.start("value"), match.start("value") + len(value)
