"""Refusals of the reports app: a stable code (the enum below, carrying the HTTP status it
answers with); each refusal carries it beside a translated message."""

from xuefen.core.errors import ErrorCode


class Code(ErrorCode):
    NO_RULESET = "no_ruleset"
