"""State changes of online learning: resources and courses (the credit office's), learning
sessions and their playback events (the learner's), and completion, which writes the ledger once
through its one writer."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuefen.accounts.roles import Cap
from xuefen.accounts.scope import filter_by_node, require
from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import SYSTEM
from xuefen.elearning import credit, files, intervals, judge, rules, sql
from xuefen.elearning.errors import Code, ElearningError
from xuefen.elearning.models import (
    CourseItem,
    Day,
    LearningSession,
    OnlineCourse,
    Progress,
    QuizAttempt,
    QuizQuestion,
    RefusedEvent,
    Resource,
    Uncounted,
    Watched,
)
from xuefen.elearning.reasons import Reason, Refusal
from xuefen.ledger.bulk import NewEntry, post_entries
from xuefen.orgs.models import OrgNode, Person

if TYPE_CHECKING:
    from xuefen.accounts.models import User

COURSE_SOURCE = "online_course"
LEDGER_LANGUAGE = "zh-hans"


def _audit(actor: "User", action: str, obj: Any, summary: str, node: OrgNode) -> None:
    record(actor, action, obj, object_repr=summary, node_path=node.path)


# --- the office's: resources and courses -------------------------------------------------------


def add_video(
    actor: "User", owner: OrgNode, title: str, upload: Any, duration_seconds: int
) -> Resource:
    """Stores an uploaded video (WebM or MP4 by content) and registers it; nothing is kept when
    the file is refused."""
    require(actor, Cap.COURSES_MANAGE, owner)
    if duration_seconds <= 0:
        raise ElearningError(
            Code.BAD_INPUT, gettext_lazy("Give the video's length."), field="duration"
        )
    stored = files.store(upload)
    with transaction.atomic():
        resource = Resource.objects.create(
            owner=owner,
            kind=Resource.Kind.VIDEO,
            title=title,
            stored_name=stored.stored_name,
            original_name=stored.original_name,
            content_type=stored.content_type,
            size=stored.size,
            duration_seconds=duration_seconds,
            created_by=actor,
        )
        _audit(actor, AuditEvent.Action.CREATE, resource, f"视频 {title}", owner)
    return resource


def add_article(
    actor: "User", owner: OrgNode, title: str, body: str, reading_minutes: int
) -> Resource:
    """Registers an article; its reading time is what a reader must spend on it."""
    require(actor, Cap.COURSES_MANAGE, owner)
    if reading_minutes <= 0 or not body.strip():
        raise ElearningError(
            Code.BAD_INPUT,
            gettext_lazy("An article needs its text and a reading time."),
            field="body" if not body.strip() else "reading_minutes",
        )
    with transaction.atomic():
        resource = Resource.objects.create(
            owner=owner,
            kind=Resource.Kind.ARTICLE,
            title=title,
            body=body,
            duration_seconds=reading_minutes * 60,
            created_by=actor,
        )
        _audit(actor, AuditEvent.Action.CREATE, resource, f"文章 {title}", owner)
    return resource


@dataclass
class CourseInput:
    code: str
    title: str
    description: str = ""
    rule_code: str = "watch_all"
    resource_ids: list[int] = field(default_factory=list)
    catalogue_course_id: int | None = None
    categories: list[str] = field(default_factory=list)
    publish: bool = True


def create_course(actor: "User", owner: OrgNode, data: CourseInput) -> OnlineCourse:
    """An online course of resources the owner's office keeps, with the completion rule of
    rules.yaml it names (copied: a later change of the file does not change the course)."""
    require(actor, Cap.COURSES_MANAGE, owner)
    rule = rules.course_rules().get(data.rule_code)
    if rule is None:
        raise ElearningError(
            Code.BAD_INPUT, gettext_lazy("Choose a completion rule."), field="rule_code"
        )
    found = set(
        filter_by_node(
            actor,
            Resource.objects.filter(pk__in=data.resource_ids, retired_at__isnull=True),
            Cap.COURSES_MANAGE,
            "owner__",
        ).values_list("pk", flat=True)
    )
    if not data.resource_ids or len(found) != len(set(data.resource_ids)):
        raise ElearningError(
            Code.EMPTY_COURSE,
            gettext_lazy("Choose the course's videos and articles."),
            field="resources",
        )
    with transaction.atomic():
        if OnlineCourse.objects.filter(code=data.code).exists():
            raise ElearningError(
                Code.CODE_TAKEN,
                gettext_lazy("The code %(code)s is taken.") % {"code": data.code},
                field="code",
            )
        course = OnlineCourse.objects.create(
            owner=owner,
            code=data.code,
            title=data.title,
            description=data.description,
            catalogue_course_id=data.catalogue_course_id,
            categories=data.categories,
            rule_code=rule.code,
            complete_share=rule.complete_share,
            needs_test=rule.needs_test,
            test_pass_mark=rule.test_pass_mark,
            test_attempts=rule.test_attempts,
            is_published=data.publish,
        )
        CourseItem.objects.bulk_create(
            CourseItem(course=course, resource_id=rid, position=i)
            for i, rid in enumerate(dict.fromkeys(data.resource_ids))
        )
        _audit(actor, AuditEvent.Action.CREATE, course, f"网络课程 {course}", owner)
    return course


@dataclass
class CourseEdit:
    title: str
    rule_code: str
    resource_ids: list[int]
    description: str = ""
    publish: bool = True


def edit_course(actor: "User", course: OnlineCourse, data: CourseEdit) -> OnlineCourse:
    """Changes an online course's title, description, resources (in the order given), completion
    rule (copied from rules.yaml, as when it was made) and whether it is open. A resource added must
    be one the actor manages and not retired; one the course had may stay though retired. What
    learners watched stays; completions already credited stay as they were (their ledger entries
    are not touched); the course's rule applies to completions from now on."""
    require(actor, Cap.COURSES_MANAGE, course.owner)
    rule = rules.course_rules().get(data.rule_code)
    if rule is None:
        raise ElearningError(
            Code.BAD_INPUT, gettext_lazy("Choose a completion rule."), field="rule_code"
        )
    wanted = list(dict.fromkeys(data.resource_ids))
    had = set(CourseItem.objects.filter(course=course).values_list("resource_id", flat=True))
    offered = filter_by_node(
        actor, Resource.objects.filter(pk__in=wanted), Cap.COURSES_MANAGE, "owner__"
    )
    found = {
        pk
        for pk, retired in offered.values_list("pk", "retired_at")
        if retired is None or pk in had
    }
    if not wanted or len(found) != len(wanted):
        raise ElearningError(
            Code.EMPTY_COURSE,
            gettext_lazy("Choose the course's videos and articles."),
            field="resources",
        )
    with transaction.atomic():
        locked = OnlineCourse.objects.select_for_update().get(pk=course.pk)
        before = {
            "title": locked.title,
            "rule_code": locked.rule_code,
            "is_published": locked.is_published,
            "resources": sorted(had),
        }
        locked.title, locked.description = data.title, data.description
        locked.rule_code, locked.complete_share = rule.code, rule.complete_share
        locked.needs_test, locked.test_pass_mark = rule.needs_test, rule.test_pass_mark
        locked.test_attempts, locked.is_published = rule.test_attempts, data.publish
        locked.save(
            update_fields=[
                "title", "description", "rule_code", "complete_share", "needs_test",
                "test_pass_mark", "test_attempts", "is_published",
            ]
        )  # fmt: skip
        CourseItem.objects.filter(course=locked).delete()
        CourseItem.objects.bulk_create(
            CourseItem(course=locked, resource_id=rid, position=i) for i, rid in enumerate(wanted)
        )
        after = {
            "title": locked.title,
            "rule_code": locked.rule_code,
            "is_published": locked.is_published,
            "resources": sorted(wanted),
        }
        record(
            actor,
            AuditEvent.Action.UPDATE,
            locked,
            changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
            object_repr=f"网络课程 {locked}",
            node_path=locked.owner.path,
        )
    return locked


def edit_resource(
    actor: "User",
    resource: Resource,
    *,
    title: str,
    duration_seconds: int,
    body: str | None = None,
    upload: Any = None,
) -> Resource:
    """Changes a resource's title and length (an article's text, a video's file: a new file
    replaces the old one, checked as a new upload is). Watched seconds already credited stay."""
    require(actor, Cap.COURSES_MANAGE, resource.owner)
    if duration_seconds <= 0:
        raise ElearningError(
            Code.BAD_INPUT, gettext_lazy("Give the length."), field="duration_seconds"
        )
    if resource.kind == Resource.Kind.ARTICLE and body is not None and not body.strip():
        raise ElearningError(
            Code.BAD_INPUT, gettext_lazy("An article needs its text."), field="body"
        )
    stored = files.store(upload) if upload is not None else None
    with transaction.atomic():
        resource.title, resource.duration_seconds = title, duration_seconds
        names = ["title", "duration_seconds"]
        if resource.kind == Resource.Kind.ARTICLE and body is not None:
            resource.body = body
            names.append("body")
        if stored is not None and resource.kind == Resource.Kind.VIDEO:
            resource.stored_name, resource.original_name = stored.stored_name, stored.original_name
            resource.content_type, resource.size = stored.content_type, stored.size
            names += ["stored_name", "original_name", "content_type", "size"]
        resource.save(update_fields=names)
        _audit(actor, AuditEvent.Action.UPDATE, resource, f"学习资源 {title}", resource.owner)
    return resource


def retire_resource(actor: "User", resource: Resource, *, now: dt.datetime | None = None) -> None:
    """Retires a resource: offered for no new course; the courses that have it keep it."""
    require(actor, Cap.COURSES_MANAGE, resource.owner)
    if resource.retired_at is not None:
        return
    with transaction.atomic():
        resource.retired_at = now or timezone.now()
        resource.save(update_fields=["retired_at"])
        _audit(
            actor, AuditEvent.Action.UPDATE, resource, f"停用学习资源 {resource}", resource.owner
        )


# --- the course test -----------------------------------------------------------------------------


def add_question(
    actor: "User", course: OnlineCourse, text: str, choices: list[str], correct: list[int]
) -> QuizQuestion:
    """Adds a question to the course's test: at least two choices, at least one right (given as
    1-based numbers of the choices, as the office types them)."""
    require(actor, Cap.COURSES_MANAGE, course.owner)
    choices = [c.strip() for c in choices if c.strip()]
    right = sorted({n - 1 for n in correct})
    if not text.strip() or len(choices) < 2:
        raise ElearningError(
            Code.QUESTION_INVALID,
            gettext_lazy("A question needs its text and at least two choices."),
            field="choices",
        )
    if not right or right[0] < 0 or right[-1] >= len(choices):
        raise ElearningError(
            Code.QUESTION_INVALID,
            gettext_lazy("Give the numbers of the right choices (1 to %(n)s).")
            % {"n": len(choices)},
            field="correct",
        )
    with transaction.atomic():
        count = QuizQuestion.objects.filter(course=course).count()
        question = QuizQuestion.objects.create(
            course=course, position=count, text=text.strip(), choices=choices, correct=right
        )
        _audit(actor, AuditEvent.Action.UPDATE, course, f"测试题 {course}", course.owner)
    return question


@dataclass
class Graded:
    score: Decimal
    passed: bool
    completed: bool
    attempts_left: int | None


def attempts_left(course: OnlineCourse, person_id: int) -> int | None:
    if course.test_attempts is None:
        return None
    taken = QuizAttempt.objects.filter(person_id=person_id, course=course).count()
    return max(course.test_attempts - taken, 0)


def take_test(
    actor: "User",
    course: OnlineCourse,
    answers: dict[int, list[int]],
    *,
    now: dt.datetime | None = None,
) -> Graded:
    """Grades one attempt at the course's test on the server (a question scores its points when
    exactly its right choices are chosen; the score is out of 100), keeps it, and completes the
    course if the test was what it lacked. Refused when the course has no test, when the learner
    passed it already, or when the rule's attempts are used up."""
    person_id = actor.person_id
    if person_id is None:
        raise ElearningError(Code.NOT_A_LEARNER, gettext_lazy("Only learners learn online."))
    if not course.is_published:
        raise ElearningError(Code.NOT_PUBLISHED, gettext_lazy("The course is not open."))
    now = now or timezone.now()
    with transaction.atomic():
        # the person's progress row, locked: two attempts sent at once are counted one by one
        progress, _made = Progress.objects.select_for_update().get_or_create(
            person_id=person_id, course=course
        )
        questions = list(QuizQuestion.objects.filter(course=course))
        if not course.needs_test or not questions:
            raise ElearningError(Code.NO_TEST, gettext_lazy("This course has no test."))
        if credit.test_passed(course, progress.test_score):
            raise ElearningError(
                Code.ALREADY_PASSED, gettext_lazy("You have passed this test already.")
            )
        left = attempts_left(course, person_id)
        if left == 0:
            raise ElearningError(
                Code.NO_ATTEMPTS_LEFT, gettext_lazy("No attempts at this test are left.")
            )
        total = sum(q.points for q in questions)
        got = sum(
            q.points for q in questions if sorted(set(answers.get(q.pk, []))) == sorted(q.correct)
        )
        score = (Decimal(100) * got / total).quantize(Decimal("0.1")) if total else Decimal(0)
        passed = credit.test_passed(course, score)
        QuizAttempt.objects.create(
            person_id=person_id,
            course=course,
            answers={str(k): sorted(set(v)) for k, v in answers.items()},
            score=score,
            passed=passed,
            at=now,
        )
        completed = record_test_score(person_id, course, score, now=now)
    return Graded(score, passed, completed, None if left is None else left - 1)


# --- the learner's: sessions and events --------------------------------------------------------


def _device(user_agent: str, device_id: str) -> str:
    return hashlib.sha256(f"{user_agent}\n{device_id}".encode()).hexdigest()[:32]


def login_digest(session_key: str) -> str:
    return hashlib.sha256(f"elearning-login:{session_key}".encode()).hexdigest()


def end_sessions(person_id: int, *, login_key: str | None = None) -> int:
    """Ends the person's active learning sessions — those opened in the log-in `login_key` (the
    log-in's session key) when it is given, else all of them: a log-out or a deactivated account
    ends the learning, and a script still holding the old cookie earns nothing after it (its
    events are refused as "ended" and recorded). Returns how many sessions ended."""
    sessions = LearningSession.objects.filter(
        person_id=person_id, status=LearningSession.Status.ACTIVE
    )
    if login_key is not None:
        sessions = sessions.filter(login_key=login_digest(login_key))
    return sessions.update(status=LearningSession.Status.ENDED)


def start_session(
    actor: "User",
    course: OnlineCourse,
    resource: Resource,
    *,
    login_key: str,
    position: float = 0.0,
    address: str | None = None,
    user_agent: str = "",
    device_id: str = "",
    now: dt.datetime | None = None,
) -> LearningSession:
    """A new learning session of the actor's person on a resource of a published course, bound to
    the log-in it was opened in (`login_key`: the log-in's session key). One active session per
    person: the one open before is replaced (its later events are refused and the time they claim
    is recorded as not counted). The session may start where the learner left off: starting
    credits nothing."""
    person_id = actor.person_id
    if person_id is None:
        raise ElearningError(Code.NOT_A_LEARNER, gettext_lazy("Only learners learn online."))
    if not course.is_published:
        raise ElearningError(Code.NOT_PUBLISHED, gettext_lazy("The course is not open."))
    if not CourseItem.objects.filter(course=course, resource=resource).exists():
        raise ElearningError(Code.NOT_IN_COURSE, gettext_lazy("Not part of this course."))
    now = now or timezone.now()
    position = min(max(float(position), 0.0), float(resource.duration_seconds))
    for _attempt in range(3):
        try:
            with transaction.atomic():
                LearningSession.objects.filter(
                    person_id=person_id, status=LearningSession.Status.ACTIVE
                ).update(status=LearningSession.Status.SUPERSEDED)
                watched, _made = Watched.objects.get_or_create(
                    person_id=person_id, resource=resource, defaults={"updated_at": now}
                )
                # the day's counted time so far, kept with the session (read after the session
                # before was replaced: nothing else adds to it meanwhile)
                today = timezone.localdate(now)
                day, _made = Day.objects.get_or_create(person_id=person_id, day=today)
                session = LearningSession.objects.create(
                    token=secrets.token_urlsafe(32),
                    login_key=login_digest(login_key),
                    person_id=person_id,
                    course=course,
                    resource=resource,
                    watched=watched,
                    day=today,
                    day_seconds=day.seconds,
                    started_at=now,
                    last_event_at=now,
                    interaction_at=now,
                    position=position,
                    address=address,
                    device=_device(user_agent, device_id),
                )
                Resource.objects.filter(pk=resource.pk).update(views=F("views") + 1)
                Progress.objects.get_or_create(person_id=person_id, course=course)
            return session
        except IntegrityError:  # another session opened at the same moment: replace it too
            continue
    raise ElearningError(Code.BAD_INPUT, gettext_lazy("Try again."))


@dataclass
class EventResult:
    accepted: bool
    counted: float = 0.0  # new seconds credited by this event
    watched: float = 0.0  # seconds of the resource watched so far
    refusal: str = ""
    prompt: str = ""
    uncounted: list[tuple[float, float, str]] = field(default_factory=list)
    completed: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "counted": round(self.counted, 1),
            "watched": round(self.watched, 1),
            "refusal": self.refusal,
            "refusal_label": str(Refusal(self.refusal).label) if self.refusal else "",
            "prompt": self.prompt,
            "uncounted": [[round(a, 1), round(b, 1), r] for a, b, r in self.uncounted],
            "completed": self.completed,
        }


def _refuse(
    person_id: int | None,
    session: LearningSession | None,
    reason: Refusal,
    data: Any,
    address: str | None,
    now: dt.datetime,
) -> EventResult:
    sql.durable_commit()
    payload = data if isinstance(data, dict) else {"body": str(data)[:200]}
    payload = {str(k)[:40]: v for k, v in list(payload.items())[:12] if k != "token"}
    seq = payload.get("seq")
    RefusedEvent.objects.create(
        person_id=person_id,
        session=session,
        seq=seq
        if isinstance(seq, int) and not isinstance(seq, bool) and abs(seq) < 2**62
        else None,
        reason=reason,
        payload=payload,
        address=address,
        at=now,
    )
    return EventResult(accepted=False, refusal=reason.value)


def _record_uncounted(
    session: LearningSession, pieces: list[tuple[float, float, Reason]], now: dt.datetime
) -> None:
    """Stores each interval that did not count; one continuing the session's last row with the
    same reason extends it."""
    last = Uncounted.objects.filter(session=session).order_by("-pk").first()
    for start, end, reason in pieces:
        if end - start <= 0:
            continue
        if last is not None and last.reason == reason and abs(last.end - start) < 0.5:
            last.end, last.at = end, now
            last.save(update_fields=["end", "at"])
            continue
        last = Uncounted.objects.create(
            person_id=session.person_id,
            resource_id=session.resource_id,
            session=session,
            start=start,
            end=end,
            reason=reason,
            at=now,
        )


def _rhythm(session: LearningSession, now: dt.datetime, kind: str) -> str:
    gap = round((now - session.last_event_at).total_seconds())
    return hashlib.sha256(f"{session.rhythm}|{gap}|{kind}".encode()).hexdigest()[:16]


def _credit(
    session: LearningSession,
    counted: list[tuple[float, float]],
    now: dt.datetime,
    writes: sql.Writes,
) -> tuple[float, list[tuple[float, float, Reason]]]:
    """Adds the counted movement to the person's watched intervals, within the daily cap:
    (new seconds, intervals over the cap). Writes the watched row and the day's total."""
    watched = session.watched
    merged: list[tuple[float, float]] = [(a, b) for a, b in watched.intervals]
    fresh: list[tuple[float, float]] = []
    for start, end in counted:
        fresh += intervals.uncovered(merged, start, end)
    if not fresh:
        return 0.0, []
    today = timezone.localdate(now)
    if session.day != today:
        day, _made = Day.objects.get_or_create(person_id=session.person_id, day=today)
        session.day, session.day_seconds = today, day.seconds
    budget = rules.learning().daily_cap_minutes * 60 - session.day_seconds
    within, beyond = intervals.take(fresh, budget)
    gained = intervals.total(within)
    for start, end in within:
        merged = intervals.merge(merged, start, end)
    if gained > 0:
        watched.intervals = [[round(a, 2), round(b, 2)] for a, b in merged]
        watched.seconds = intervals.total(merged)
        watched.updated_at = now
        writes.update(watched, ["intervals", "seconds", "updated_at"])
        writes.add_to_day(session.person_id, today, gained, 1 << timezone.localtime(now).hour)
        session.day_seconds += gained
    return gained, [(a, b, Reason.DAILY_CAP) for a, b in beyond]


SESSION_WRITES = [
    "seq", "position", "hidden", "rate", "last_event_at", "interaction_at",
    "prompt", "counted_seconds", "rhythm", "day", "day_seconds", "lag",
]  # fmt: skip


def _keep_login(
    live: sql.Live,
    login_key: str,
    interaction_at: dt.datetime,
    now: dt.datetime,
    writes: sql.Writes,
) -> dt.datetime | None:
    """A learner shown present (within the interaction interval) keeps the log-in alive as a page
    view does — its expiry moved at most once per SESSION_TOUCH_SECONDS; a player left alone does
    not, and its log-in expires when idle (its later events are then refused). Returns the new
    expiry when it is moved."""
    assert live.login_expires is not None
    interval = dt.timedelta(seconds=rules.learning().interaction_interval_seconds)
    age = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    touched = live.login_expires - age
    if now <= interaction_at + interval and now - touched >= dt.timedelta(
        seconds=settings.SESSION_TOUCH_SECONDS
    ):
        writes.keep_login(login_key, now + age)
        return now + age
    return None


def record_event(
    token: str,
    data: Any,
    *,
    login_key: str,
    address: str | None = None,
    now: dt.datetime | None = None,
) -> EventResult:
    """Judges one playback event of the actor's learning session and keeps what counted.

    Guarantees: an event that is not the session's next one (replayed, out of order), not from a
    session opened in this log-in (forged: a made-up token, or a real one sent with another
    log-in's cookie), on a replaced or ended session, or whose log-in has ended or expired (the
    session then ends) is refused, recorded, and changes nothing else; a learner shown present
    keeps the log-in alive as a page view does; an impossible one (more progress than time
    passed) is refused and its interval recorded as not counted; a counted second of a resource
    is counted once however often it is watched; every interval that did not count is stored
    with its reason; reaching the course's rule completes it and writes its one ledger entry.

    An ordinary event — accepted, everything it moved counted, no completion to check — is read
    without a lock and written by one guarded statement that applies only while everything it was
    judged from is as it was read and its log-in is alive (on PostgreSQL two round trips, in
    autocommit; one when this worker kept the session from its previous event: `sql.load`). A
    kept copy that does not give an ordinary event, or whose write did not apply, is read again
    once. Every other event, and one whose guarded write found the session moved meanwhile (a
    concurrent or replayed event, a newer session), is judged again from the session read under
    lock, in one transaction: the guarded write is a shortcut to the same outcome, never another
    outcome."""
    now = now or timezone.now()
    token = str(token)[:64] if token else ""
    if token:
        live = sql.load(token, login_key, lock=False)
        if live is not None:
            quick = _judge_event(live, data, login_key, address, now, guarded=True)
            if quick is None and sql.was_kept(live):
                # This worker's copy was stale, or the event is not an ordinary one: read it.
                live = sql.load(token, login_key, lock=False)
                if live is not None:
                    quick = _judge_event(live, data, login_key, address, now, guarded=True)
            if quick is not None:
                return quick
    with transaction.atomic():
        live = sql.load(token, login_key, lock=True) if token else None
        if live is None:
            return _refuse(None, None, Refusal.FORGED, data, address, now)
        result = _judge_event(live, data, login_key, address, now, guarded=False)
        assert result is not None  # only a guarded judgement passes
        return result


def _judge_event(
    live: sql.Live,
    data: Any,
    login_key: str,
    address: str | None,
    now: dt.datetime,
    *,
    guarded: bool,
) -> EventResult | None:
    """The event judged against the session `live`. Guarded (read without a lock): returns None,
    having written nothing that counts, unless the event is an ordinary accepted one and its
    guarded write applied. Otherwise (read under lock, in the caller's transaction) decides."""
    session = live.session
    person_id = session.person_id
    if not secrets.compare_digest(session.login_key, login_digest(login_key)):
        return None if guarded else _refuse(person_id, session, Refusal.FORGED, data, address, now)
    active = session.status == LearningSession.Status.ACTIVE
    if active and (live.login_expires is None or live.login_expires <= now):
        # The log-in has ended (expired when idle, or gone): so has its learning.
        if guarded:
            return None
        end_sessions(person_id, login_key=login_key)
        return _refuse(person_id, session, Refusal.LOGGED_OUT, data, address, now)
    event = judge.parse(data)
    if event is None:
        return (
            None if guarded else _refuse(person_id, session, Refusal.MALFORMED, data, address, now)
        )
    if not active:
        if guarded:
            return None
        if session.status == LearningSession.Status.ENDED:
            return _refuse(person_id, session, Refusal.ENDED, data, address, now)
        if event.position > session.position and event.seq > session.seq:
            _record_uncounted(session, [(session.position, event.position, Reason.CONCURRENT)], now)
        return _refuse(person_id, session, Refusal.SUPERSEDED, data, address, now)
    state = judge.State(
        seq=session.seq,
        position=session.position,
        hidden=session.hidden,
        rate=session.rate,
        last_event_at=session.last_event_at,
        interaction_at=session.interaction_at,
        prompt=session.prompt,
        lag=session.lag,
    )
    length = live.length
    outcome = judge.judge(state, event, now, rules.learning(), length)
    if guarded and (outcome.refusal is not None or outcome.uncounted):
        return None
    if outcome.refusal in (Refusal.REPLAYED, Refusal.OUT_OF_ORDER):
        return _refuse(person_id, session, outcome.refusal, data, address, now)
    writes = sql.Writes()
    gained, over_cap = _credit(session, outcome.counted, now, writes)
    watched = session.watched.seconds
    threshold = float(live.complete_share) * length
    crossed = gained > 0 and watched - gained < threshold <= watched
    check_completion = crossed or event.kind in ("pause", "ended")
    if guarded and (over_cap or check_completion):
        return None
    uncounted = outcome.uncounted + over_cap
    if uncounted:
        _record_uncounted(session, uncounted, now)
    new = outcome.state
    prompt = new.prompt or (secrets.token_hex(8) if outcome.ask else "")
    session.rhythm = _rhythm(session, now, event.kind)
    session.seq, session.position, session.hidden = new.seq, new.position, new.hidden
    session.rate, session.last_event_at = new.rate, new.last_event_at
    session.interaction_at, session.prompt = new.interaction_at, prompt
    session.lag = new.lag
    session.counted_seconds += gained
    kept_login = _keep_login(live, login_key, new.interaction_at, now, writes)
    if guarded:
        # An ordinary event: its commit need not wait for the disk (see sql.durable_commit).
        applied = writes.flush_guarded(
            live,
            SESSION_WRITES,
            login_key=login_key,
            now=now,
            relaxed=True,
        )
        if not applied:
            return None
        if kept_login is not None:
            live.login_expires = kept_login
        sql.keep(live)  # for this session's next event in this worker
    else:
        writes.update(session, SESSION_WRITES)
        writes.flush()  # before completion reads the watched seconds
    result = EventResult(
        accepted=outcome.refusal is None,
        counted=gained,
        watched=watched,
        prompt=prompt,
        uncounted=[(a, b, r.value) for a, b, r in uncounted],
    )
    if outcome.refusal is not None:
        _refuse(person_id, session, outcome.refusal, data, address, now)
        result.refusal = outcome.refusal.value
    if check_completion:
        course = OnlineCourse.objects.get(pk=session.course_id)
        sql.durable_commit()  # before the ledger may be written
        result.completed = complete_if_done(session.person_id, course, now=now)
    return result


# --- completion ------------------------------------------------------------------------------


def record_test_score(
    person_id: int, course: OnlineCourse, score: Decimal, *, now: dt.datetime | None = None
) -> bool:
    """Keeps a learner's course test score (the best one) — called by whatever ran the test — and
    completes the course if that was what it lacked. Returns whether the course is complete."""
    with transaction.atomic():
        progress, _made = Progress.objects.select_for_update().get_or_create(
            person_id=person_id, course=course
        )
        if progress.test_score is None or score > progress.test_score:
            progress.test_score = score
            progress.save(update_fields=["test_score"])
        return complete_if_done(person_id, course, now=now)


def complete_if_done(
    person_id: int, course: OnlineCourse, *, now: dt.datetime | None = None
) -> bool:
    """Completes the course for the person when the watched share (and the test, if the course
    has one) reach its rule, writing the one ledger entry (idempotent on the ledger's source key
    (person, "online_course", "<course id>:<person id>")). Returns whether it is complete."""
    now = now or timezone.now()
    with transaction.atomic():
        progress, _made = Progress.objects.select_for_update().get_or_create(
            person_id=person_id, course=course
        )
        if progress.completed_at is not None:
            return True
        facts = credit.course_facts(course, person_id)
        if not credit.is_complete(course, facts, progress.test_score):
            return False
        person = Person.objects.select_related("unit").get(pk=person_id)
        earned = credit.earned(course, facts, person, progress.test_score, timezone.localdate(now))
        with translation.override(LEDGER_LANGUAGE):
            description = _("Online course %(title)s (%(code)s)") % {
                "title": course.title,
                "code": course.code,
            }
        result = post_entries(
            SYSTEM,
            [
                NewEntry(
                    person_id=person_id,
                    last_day=timezone.localdate(now),
                    categories=earned.categories,
                    amount=earned.amount,
                    unit=earned.unit,
                    source_type=COURSE_SOURCE,
                    source_id=f"{course.pk}:{person_id}",
                    kind=earned.kind,
                    description=description[:300],
                    evidence=f"online_course:{course.code}",
                )
            ],
            note=earned.note,
        )
        if result.errors:
            raise result.errors[0]
        entry_id = next(iter(result.posted.values()), None) or next(
            iter(result.duplicates.values()), None
        )
        progress.completed_at, progress.entry_id = now, entry_id
        progress.save(update_fields=["completed_at", "entry_id"])
    return True
