"""The demo county (清河县): an org tree of over 40 units, 3,000+ people, an account for every role.

Seeded, so every machine gets the same people: a guide or a test can name them.
"""

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.conf import settings

from xuefen.accounts.models import RoleGrant, User
from xuefen.accounts.roles import Role
from xuefen.orgs import idnumber
from xuefen.orgs.models import OrgNode, Person

SEED = 20261123
AREA = "320923"
TODAY = dt.date(2026, 11, 23)

Org = OrgNode.UnitType
# (department or township name, code, kind, [(unit name, code, unit type, headcount)])
TREE: list[tuple[str, str, str, list[tuple[str, str, str, int]]]] = [
    (
        "县委组织部",
        "ZZB",
        "department",
        [("县委组织部机关", "ZZB01", Org.ORGAN, 30), ("县委党校", "DX01", Org.INSTITUTION, 45)],
    ),
    (
        "县人力资源和社会保障局",
        "RSJ",
        "department",
        [
            ("县人社局机关", "RSJ01", Org.ORGAN, 40),
            ("县就业服务中心", "RSJ02", Org.INSTITUTION, 25),
        ],
    ),
    (
        "县财政局",
        "CZJ",
        "department",
        [
            ("县财政局机关", "CZJ01", Org.ORGAN, 55),
            ("县会计核算中心", "CZJ02", Org.INSTITUTION, 30),
        ],
    ),
    (
        "县教育局",
        "JYJ",
        "department",
        [
            ("县教育局机关", "JYJ01", Org.ORGAN, 35),
            ("清河县第一中学", "JYJ02", Org.INSTITUTION, 260),
            ("清河县第二中学", "JYJ03", Org.INSTITUTION, 180),
            ("清河县实验小学", "JYJ04", Org.INSTITUTION, 150),
            ("清河县职业教育中心", "JYJ05", Org.INSTITUTION, 120),
        ],
    ),
    (
        "县卫生健康委员会",
        "WJW",
        "department",
        [
            ("县卫健委机关", "WJW01", Org.ORGAN, 30),
            ("县人民医院", "WJW02", Org.INSTITUTION, 520),
            ("县中医院", "WJW03", Org.INSTITUTION, 260),
            ("县疾病预防控制中心", "WJW04", Org.INSTITUTION, 60),
            ("县妇幼保健院", "WJW05", Org.INSTITUTION, 90),
        ],
    ),
    (
        "县农业农村局",
        "NYJ",
        "department",
        [
            ("县农业农村局机关", "NYJ01", Org.ORGAN, 45),
            ("县农业技术推广中心", "NYJ02", Org.INSTITUTION, 55),
        ],
    ),
    (
        "县住房和城乡建设局",
        "ZJJ",
        "department",
        [
            ("县住建局机关", "ZJJ01", Org.ORGAN, 40),
            ("县建设工程质量监督站", "ZJJ02", Org.INSTITUTION, 30),
        ],
    ),
    ("县自然资源局", "ZRJ", "department", [("县自然资源局机关", "ZRJ01", Org.ORGAN, 45)]),
    ("县交通运输局", "JTJ", "department", [("县交通运输局机关", "JTJ01", Org.ORGAN, 40)]),
    (
        "县水利局",
        "SLJ",
        "department",
        [
            ("县水利局机关", "SLJ01", Org.ORGAN, 35),
            ("县水利工程管理站", "SLJ02", Org.INSTITUTION, 30),
        ],
    ),
    ("县市场监督管理局", "SJJ", "department", [("县市场监管局机关", "SJJ01", Org.ORGAN, 60)]),
    ("县发展和改革委员会", "FGW", "department", [("县发改委机关", "FGW01", Org.ORGAN, 30)]),
    ("县民政局", "MZJ", "department", [("县民政局机关", "MZJ01", Org.ORGAN, 25)]),
    ("县司法局", "SFJ", "department", [("县司法局机关", "SFJ01", Org.ORGAN, 30)]),
    (
        "县国有资产管理中心",
        "GZZ",
        "department",
        [
            ("县城市建设投资集团", "GZZ01", Org.ENTERPRISE, 70),
            ("清河农村商业银行", "GZZ02", Org.ENTERPRISE, 80),
        ],
    ),
    (
        "城关镇",
        "CGZ",
        "township",
        [
            ("城关镇机关", "CGZ01", Org.ORGAN, 60),
            ("城关镇卫生院", "CGZ02", Org.INSTITUTION, 45),
            ("城关镇中心小学", "CGZ03", Org.INSTITUTION, 50),
        ],
    ),
    (
        "河口镇",
        "HKZ",
        "township",
        [
            ("河口镇机关", "HKZ01", Org.ORGAN, 50),
            ("河口镇卫生院", "HKZ02", Org.INSTITUTION, 35),
            ("河口镇中心小学", "HKZ03", Org.INSTITUTION, 40),
        ],
    ),
    (
        "柳林镇",
        "LLZ",
        "township",
        [("柳林镇机关", "LLZ01", Org.ORGAN, 45), ("柳林镇卫生院", "LLZ02", Org.INSTITUTION, 30)],
    ),
    (
        "三里乡",
        "SLX",
        "township",
        [("三里乡机关", "SLX01", Org.ORGAN, 35), ("三里乡卫生院", "SLX02", Org.INSTITUTION, 25)],
    ),
    (
        "东湖乡",
        "DHX",
        "township",
        [
            ("东湖乡机关", "DHX01", Org.ORGAN, 35),
            ("东湖乡农业服务中心", "DHX02", Org.INSTITUTION, 20),
        ],
    ),
]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋"
    "唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"
    "建国志文斌海波宁晨浩宇欣怡子涵雨轩思佳俊博嘉鑫晓东梅琳丹凤"
)

# Demo accounts: username, role, node code, display name. A learner logs in with this username too.
ACCOUNTS = [
    ("office", Role.OFFICE, "QH", "学分办 周主任"),
    ("auditor", Role.AUDITOR, "QH", "纪检监督 李审计"),
    ("sysadmin", Role.SYSADMIN, "QH", "系统管理员"),
    ("unitadmin", Role.UNIT_ADMIN, "CZJ01", "财政局专管员 王敏"),
    ("unitadmin2", Role.UNIT_ADMIN, "JYJ02", "一中专管员 陈静"),
    ("deptadmin", Role.UNIT_ADMIN, "WJW", "卫健系统专管员 赵磊"),
    ("provider", Role.PROVIDER, "DX01", "县委党校 培训科"),
    ("teacher", Role.TEACHER, "DX01", "党校教师 刘老师"),
]
LEARNER_USERNAME = "learner"
LEARNER_UNIT = "CZJ01"


def _category(rng: random.Random, unit_type: str) -> tuple[str, str]:
    C, T = Person.Category, Person.TitleLevel
    if unit_type == Org.ORGAN:
        r = rng.random()
        if r < 0.06:
            return C.COUNTY, T.NONE
        if r < 0.35:
            return C.TOWNSHIP, T.NONE
        if r < 0.85:
            return C.GENERAL, T.NONE
        return C.PROFESSIONAL, rng.choice([T.JUNIOR, T.INTERMEDIATE])
    if rng.random() < 0.08:
        return C.TOWNSHIP, T.NONE
    return C.PROFESSIONAL, rng.choices([T.JUNIOR, T.INTERMEDIATE, T.SENIOR], [5, 4, 2])[0]


def build_tree() -> dict[str, OrgNode]:
    nodes: dict[str, OrgNode] = {}

    def add(
        code: str, name: str, kind: str, parent: OrgNode | None, unit_type: str = ""
    ) -> OrgNode:
        node = OrgNode.objects.create(
            code=code,
            name=name,
            kind=kind,
            unit_type=unit_type,
            parent=parent,
            depth=(parent.depth + 1) if parent else 0,
            path="",
        )
        node.path = f"{parent.path if parent else '/'}{node.pk}/"
        node.save(update_fields=["path"])
        nodes[code] = node
        return node

    root = add("QH", "清河县", OrgNode.Kind.REGION, None)
    for name, code, kind, units in TREE:
        middle = add(code, name, kind, root)
        for unit_name, unit_code, unit_type, _n in units:
            add(unit_code, unit_name, OrgNode.Kind.UNIT, middle, unit_type)
    return nodes


def build_people(nodes: dict[str, OrgNode], rng: random.Random) -> list[Person]:
    people: list[Person] = []
    used: set[str] = set()
    sequence = 0
    for _name, _code, _kind, units in TREE:
        for _unit_name, unit_code, unit_type, headcount in units:
            for _ in range(headcount):
                sex = rng.choice("MF")
                birth = dt.date(1966, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 36))
                sequence = (sequence + 1) % 500
                number = idnumber.make(AREA, birth, sequence, sex)
                while number in used:
                    sequence = (sequence + 1) % 500
                    number = idnumber.make(AREA, birth, sequence, sex)
                used.add(number)
                category, title = _category(rng, unit_type)
                given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
                people.append(
                    Person(
                        id_number=number,
                        name=rng.choice(SURNAMES) + given,
                        sex=sex,
                        birth_date=birth,
                        unit=nodes[unit_code],
                        category=category,
                        title_level=title,
                        phone=f"1{rng.choice('3579')}{rng.randrange(10**8, 10**9)}",
                        status=Person.Status.ACTIVE,
                        hired_on=max(birth + dt.timedelta(days=365 * 22), dt.date(1990, 1, 1)),
                    )
                )
    Person.objects.bulk_create(people, batch_size=1000)
    return people


def build_accounts(nodes: dict[str, OrgNode]) -> None:
    password = settings.DEMO_PASSWORD
    for username, role, code, display in ACCOUNTS:
        user = User(username=username, first_name=display)
        user.set_password(password)
        user.save()
        RoleGrant.objects.create(user=user, role=role, node=nodes[code])
    learner_person = Person.objects.filter(unit=nodes[LEARNER_UNIT]).order_by("id").first()
    learner = User(
        username=LEARNER_USERNAME,
        first_name=learner_person.name if learner_person else "",
        person=learner_person,
    )
    learner.set_password(password)
    learner.save()


def load(write: Callable[[str], Any]) -> None:
    rng = random.Random(SEED)
    nodes = build_tree()
    people = build_people(nodes, rng)
    build_accounts(nodes)
    units = sum(1 for n in nodes.values() if n.kind == OrgNode.Kind.UNIT)
    write(f"Demo county 清河县: {len(nodes)} org nodes ({units} units), {len(people)} people.")


def print_logins(write: Callable[[str], Any], password: str) -> None:
    write("")
    write(f"Demo accounts (password: {password}):")
    for username, role, code, display in ACCOUNTS:
        write(f"  {username:<11} {Role(role).label!s:<32} {code:<6} {display}")
    write(
        f"  {LEARNER_USERNAME:<11} learner (学员)                    {LEARNER_UNIT:<6} "
        "the first person of 县财政局机关"
    )
    write(
        "  Any other demo person has no account yet: log in as unitadmin, open Activation letters,"
        " print a letter and use its code on /accounts/activate/ with the person's ID number."
    )
