from xuefen.core.errors import CodedError


class IntakeError(CodedError):
    """A provider, course or batch that cannot be accepted as given (stable `code`)."""
