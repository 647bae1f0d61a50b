from xuefen.core.errors import CodedError


class ClaimError(CodedError):
    """A claim, file or claim type that cannot be accepted as given."""


class TransitionError(ClaimError):
    """A workflow step the transition table does not allow from the claim's status, or that this
    actor may not take (their own claim)."""
