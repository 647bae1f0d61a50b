"""Refusals of the policy app (rule sets, their import and editing): a stable code (the enum below,
carrying the HTTP status it answers with); each refusal carries it beside a translated message."""

from xuefen.core.errors import ErrorCode


class Code(ErrorCode):
    BAD_YAML = "bad_yaml"
    DUPLICATE_CODE = "duplicate_code"
    FORBIDDEN = "forbidden", 403
    NEGATIVE_QUANTITY = "negative_quantity"
    OVERLAPPING_VERSIONS = "overlapping_versions"
    REGION_MISMATCH = "region_mismatch"
    UNKNOWN_KIND = "unknown_kind"
    UNKNOWN_LEVEL = "unknown_level"
    UNKNOWN_METHOD = "unknown_method"
    VERSION_EXISTS = "version_exists"
