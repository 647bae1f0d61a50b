"""The office's paper editor: questions edited on a form (a question candidates sat is kept as
it was and the change becomes a new one), the bank imported from XLSX/CSV through the one tabular
reader (every bad row named by row and column, nothing added), fixed and drawn papers, a preview,
and a paper an exam session uses copied instead of changed."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.exams import helpers as h
from xuefen.core.tabular import write_xlsx
from xuefen.exams import actions
from xuefen.exams.errors import Code, ExamError
from xuefen.exams.importing import QuestionImportError, import_questions
from xuefen.exams.models import Answer, Paper, PaperMode, Question, QuestionKind

HEADER = "科目,题型,题目,选项,答案,分值\n"


def _csv(text: str, name: str = "bank.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + text).encode("utf-8"), "text/csv")


def _edit(cast, question, **changes):
    fields = {
        "subject": question.subject,
        "kind": question.kind,
        "text": question.text,
        "options": question.options,
        "answer": question.answer,
        "points": question.points,
    }
    fields.update(changes)
    return actions.edit_question(cast.carol, question, **fields)


# ------------------------------------------------------------------------------ questions


def test_a_question_nobody_sat_is_changed_in_place(cast):
    single = h.bank(cast)[0]
    saved = _edit(cast, single, text="改过的单选题", answer=[2])
    assert saved.pk == single.pk
    single.refresh_from_db()
    assert (single.text, single.answer, single.active) == ("改过的单选题", [2], True)


def test_a_question_candidates_sat_is_kept_and_the_change_is_a_new_question(cast):
    exam = h.exam(cast, short=False)
    attempt = actions.start_attempt(h.admitted(cast, exam))
    first = exam.paper.items.order_by("position").first().question
    actions.save_answer(attempt, first.pk, [1], now=timezone.now())
    unused = actions.make_paper(cast.carol, cast.region, "未用试卷", questions=[first])
    new = _edit(cast, first, text="新题面", answer=[0])
    assert new.pk != first.pk and (new.text, new.answer, new.active) == ("新题面", [0], True)
    first.refresh_from_db()
    assert (first.text, first.answer, first.active) == ("单选题", [1], False)
    # The session's paper keeps what its candidates sit; an unused paper takes the new question.
    assert exam.paper.items.filter(question=first).exists()
    assert list(unused.items.values_list("question_id", flat=True)) == [new.pk]
    assert Answer.objects.get(attempt=attempt).question_id == first.pk


def test_only_the_office_edits_questions(cast):
    single = h.bank(cast)[0]
    with pytest.raises(ExamError) as caught:
        actions.edit_question(
            cast.lena, single, subject="x", kind=QuestionKind.SHORT, text="y", answer="z"
        )
    assert caught.value.code == Code.FORBIDDEN


def test_the_edit_form_shows_the_question_and_saves_it(client, cast):
    multiple = h.bank(cast)[1]
    client.force_login(cast.carol)
    url = reverse("exams:question_edit", args=[multiple.pk])
    page = client.get(url).content.decode()
    assert "多选题" in page and 'value="AC"' in page
    done = client.post(
        url,
        {"subject": "党纪法规", "kind": "multiple", "text": "新的多选题",
         "options": "甲\n乙\n丙\n丁", "answer": "BD", "points": "10"},
    )  # fmt: skip
    assert done.status_code == 302
    multiple.refresh_from_db()
    assert (multiple.text, multiple.answer, str(multiple.points)) == ("新的多选题", [1, 3], "10.00")


# ------------------------------------------------------------------------------ import


def test_a_csv_bank_is_imported_with_its_subject_tags(cast):
    upload = _csv(
        "党纪法规,单选,哪一个？,甲|乙|丙,B,2\n"
        "党纪法规,多选,哪几个？,甲|乙|丙|丁,A C,3\n"
        "公共管理,判断,对吗？,,对,\n"
        "公共管理,简答,谈谈看法。,,要点一；要点二,10\n"
    )
    assert import_questions(cast.carol, cast.region, upload).created == 4
    found = {q.kind: q for q in Question.objects.all()}
    assert (
        found[QuestionKind.SINGLE].answer == [1]
        and found[QuestionKind.SINGLE].subject == "党纪法规"
    )
    assert found[QuestionKind.MULTIPLE].options == ["甲", "乙", "丙", "丁"]
    assert found[QuestionKind.MULTIPLE].answer == [0, 2]
    assert found[QuestionKind.TRUE_FALSE].answer is True
    assert str(found[QuestionKind.TRUE_FALSE].points) == "1.00"
    assert found[QuestionKind.SHORT].subject == "公共管理"


def test_an_xlsx_bank_is_imported_through_the_same_reader(cast):
    out = io.BytesIO()
    write_xlsx(
        out,
        ["科目", "题型", "题目", "选项", "答案", "分值"],
        [
            ["法规", "单选题", "选哪个？", "甲|乙", "A", 5],
            ["法规", "判断题", "是吗？", "", "错", 5],
        ],
    )
    upload = SimpleUploadedFile("bank.xlsx", out.getvalue())
    assert import_questions(cast.carol, cast.region, upload).created == 2
    assert Question.objects.get(kind=QuestionKind.TRUE_FALSE).answer is False


def test_bad_rows_are_each_named_and_nothing_is_added(cast):
    h.bank(cast)
    before = Question.objects.count()
    upload = _csv(
        "党纪法规,单选,好的一行,甲|乙,A,2\n"
        "党纪法规,填空,未知题型,,,2\n"
        "党纪法规,单选,答案越界,甲|乙,D,2\n"
        "公共管理,判断,答案不是对错,,也许,2\n"
        ",简答,没有科目,,要点,2\n"
        "公共管理,简答,分值太大,,要点,500\n"
    )
    with pytest.raises(QuestionImportError) as caught:
        import_questions(cast.carol, cast.region, upload)
    where = [(e.row, e.column) for e in caught.value.errors]
    assert where == [(3, "题型"), (4, "答案"), (5, "答案"), (6, "题目"), (7, "分值")]
    assert all(str(e.message) for e in caught.value.errors)
    assert Question.objects.count() == before


def test_the_import_page_lists_the_bad_rows(client, cast):
    client.force_login(cast.carol)
    page = client.post(
        reverse("exams:question_import"), {"file": _csv("党纪法规,填空,未知题型,,,2\n")}
    )
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="import-errors"' in text
    assert "题型" in text and "填空" in text
    assert not Question.objects.exists()
    done = client.post(reverse("exams:question_import"), {"file": _csv("法规,判断,是吗？,,对,1\n")})
    assert done.status_code == 302 and Question.objects.count() == 1


def test_a_file_that_is_not_a_table_is_refused_whole(client, cast):
    client.force_login(cast.carol)
    page = client.post(
        reverse("exams:question_import"),
        {"file": SimpleUploadedFile("bank.xlsx", b"not a workbook at all")},
    )
    assert page.status_code == 200 and not Question.objects.exists()
    assert "xlsx" in page.content.decode().lower()


# ------------------------------------------------------------------------------ papers


def test_papers_fixed_and_drawn_are_made_on_the_form_and_previewed(client, cast):
    bank = h.bank(cast)
    client.force_login(cast.carol)
    fixed = client.post(
        reverse("exams:paper_new"),
        {"name": "固定卷", "mode": "fixed", "questions": [bank[0].pk, bank[2].pk]},
    )
    paper = Paper.objects.get(name="固定卷")
    assert fixed.status_code == 302 and paper.mode == PaperMode.FIXED
    assert list(paper.items.values_list("question_id", flat=True)) == [bank[0].pk, bank[2].pk]
    preview = client.get(reverse("exams:paper", args=[paper.pk])).content.decode()
    assert "单选题" in preview and "判断题" in preview and "多选题" not in preview
    drawn = client.post(
        reverse("exams:paper_new"),
        {"name": "抽题卷", "mode": "drawn", "rules": "党纪法规, 单选, 1, 10\n公共管理，判断，1，5"},
    )
    paper = Paper.objects.get(name="抽题卷")
    assert drawn.status_code == 302 and paper.mode == PaperMode.DRAWN
    assert [(r["subject"], r["kind"], r["count"]) for r in paper.rules] == [
        ("党纪法规", "single", 1),
        ("公共管理", "true_false", 1),
    ]
    preview = client.get(reverse("exams:paper", args=[paper.pk])).content.decode()
    assert "单选题" in preview and "判断题" in preview and "简答题" not in preview
    assert 'data-testid="preview-2"' in preview and 'data-testid="preview-3"' not in preview


def test_a_rule_the_bank_cannot_fill_is_said_on_the_preview(client, cast):
    h.bank(cast)
    paper = actions.make_paper(
        cast.carol,
        cast.region,
        "太多",
        rules=[{"subject": "党纪法规", "kind": "single", "count": 5, "points": 1}],
    )
    client.force_login(cast.carol)
    page = client.get(reverse("exams:paper", args=[paper.pk])).content.decode()
    assert 'data-testid="preview-problem"' in page


def test_a_bad_rule_line_is_refused_on_the_form(client, cast):
    client.force_login(cast.carol)
    page = client.post(
        reverse("exams:paper_new"),
        {"name": "坏规则", "mode": "drawn", "rules": "党纪法规, 填空, 1"},
    )
    assert page.status_code == 200 and not Paper.objects.filter(name="坏规则").exists()


def test_a_paper_no_session_uses_is_changed_in_place(cast):
    bank = h.bank(cast)
    paper = actions.make_paper(cast.carol, cast.region, "草稿", questions=bank[:2])
    saved = actions.edit_paper(cast.carol, paper, "定稿", questions=[bank[3]])
    assert saved.pk == paper.pk and saved.name == "定稿"
    assert list(paper.items.values_list("question_id", flat=True)) == [bank[3].pk]


def test_a_paper_a_session_uses_is_copied_not_changed(client, cast):
    exam = h.exam(cast)
    paper = exam.paper
    before = list(paper.items.values_list("question_id", "points"))
    other = h.bank(cast)
    client.force_login(cast.carol)
    page = client.get(reverse("exams:paper_edit", args=[paper.pk])).content.decode()
    assert 'data-testid="paper-in-use"' in page
    done = client.post(
        reverse("exams:paper_edit", args=[paper.pk]),
        {"name": "年度试卷（修订）", "mode": "fixed", "questions": [other[0].pk]},
    )
    copy = Paper.objects.get(name="年度试卷（修订）")
    assert done.status_code == 302 and done.url == reverse("exams:paper", args=[copy.pk])
    paper.refresh_from_db()
    exam.refresh_from_db()
    assert paper.name == "年度试卷" and exam.paper_id == paper.pk
    assert list(paper.items.values_list("question_id", "points")) == before
    assert list(copy.items.values_list("question_id", flat=True)) == [other[0].pk]


def test_the_papers_page_does_not_grow_its_queries_with_rows(
    client, cast, django_assert_max_num_queries
):
    bank = h.bank(cast)
    for i in range(6):
        actions.make_paper(cast.carol, cast.region, f"卷{i}", questions=bank)
    client.force_login(cast.carol)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("exams:papers"))
    assert page.status_code == 200 and "卷5" in page.content.decode()
