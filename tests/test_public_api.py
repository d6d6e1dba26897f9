"""The public face: `aigov` exports exactly its names, and the exception tree is the contract's."""

from __future__ import annotations

import aigov


def test_when_aigov_is_imported_then_all_is_exactly_the_public_names():
    public = {name for name in dir(aigov) if not name.startswith("_")}
    assert set(aigov.__all__) == public | {"__version__"} - {"annotations"}


def test_when_errors_are_raised_then_the_tree_is_the_contracts():
    assert issubclass(aigov.PolicyViolation, aigov.AIGovError)
    assert issubclass(aigov.ToolCallBlocked, aigov.PolicyViolation)
    assert issubclass(aigov.BudgetExceeded, aigov.PolicyViolation)
    assert issubclass(aigov.AIGovError, Exception)


def test_when_a_violation_is_made_then_it_carries_rule_reason_record_and_a_message_to_act_on():
    violation = aigov.PolicyViolation("models.deny", "Model 'x' is denied.", {"seq": 3}, "use model 'y'.")
    assert (violation.rule, violation.reason, violation.record) == ("models.deny", "Model 'x' is denied.", {"seq": 3})
    assert str(violation) == "Model 'x' is denied. [rule models.deny] To proceed: use model 'y'."
