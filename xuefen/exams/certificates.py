"""The verification code printed on an exam certificate: derived from the attempt with the site's
secret key, so a certificate cannot be made up and the office can check one it is shown."""

from django.utils.crypto import salted_hmac

from xuefen.exams.models import Attempt

SALT = "xuefen.exams.certificate"


def code_for(attempt: Attempt) -> str:
    digest = salted_hmac(
        SALT, f"{attempt.pk}:{attempt.person_id}:{attempt.score}", algorithm="sha256"
    ).hexdigest()
    return f"KS{attempt.pk:06d}-{digest[:10].upper()}"
