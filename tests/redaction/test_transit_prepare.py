"""Preparing the detection engine in the background never shows an SDK a half-imported module."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# In a fresh interpreter: openai is loaded, the engine is prepared on its background thread, and meanwhile the
# main thread does what openai.OpenAI() does first: look up the legacy httpx in sys.modules and use it. Before
# the fix this failed every time with "partially initialized module 'httpx' has no attribute 'URL'".
RACE = textwrap.dedent(
    """
    import sys, time
    import openai
    from openai._httpx2 import normalize_httpx_url
    from aigov_core.policy.document import RedactionSection
    from jupyter_aigov.redaction import transit

    transit.prepare(RedactionSection.model_validate({"entities": {"PERSON": "redact"}}))
    deadline = time.monotonic() + 20
    looked = 0
    while "presidio_analyzer.analyzer_engine" not in sys.modules and time.monotonic() < deadline:
        normalize_httpx_url("http://127.0.0.1:9/v1")
        looked += 1
        time.sleep(0.0002)  # leaves the background thread room to import, as a user's cell does
    assert "presidio_analyzer.analyzer_engine" in sys.modules, "the engine was not imported within 20 s"
    print("looked", looked)
    """
)


def test_when_an_sdk_looks_for_httpx_while_the_engine_is_imported_then_it_finds_it_whole() -> None:
    done = subprocess.run([sys.executable, "-c", RACE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert int(done.stdout.split()[-1]) > 0
