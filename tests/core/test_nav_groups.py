"""The main menu by group: a long menu (the credit office's) is one button per group, each opening
its links; a short one (a learner's) stays one row; the group holding the page is marked."""

from html.parser import HTMLParser

from django.test import Client
from django.urls import reverse

from xuefen.core import nav


class Menu(HTMLParser):
    """The menu of a page as a reader meets it: the bar's entries in order, each a group (its
    label, whether marked, its links) or a link of its own; a link is (label, href, current)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.entries: list[dict] = []
        self._in_nav = self._in_summary = self._in_link = False
        self._group: dict | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and "mainnav" in (attrs.get("class") or ""):
            self._in_nav = True
        elif not self._in_nav:
            return
        elif tag == "details":
            classes = (attrs.get("class") or "").split()
            self._group = {"label": "", "marked": "current" in classes, "links": []}
            self.entries.append(self._group)
        elif tag == "summary":
            self._in_summary = True
            self._group["aria_current"] = attrs.get("aria-current")
        elif tag == "a":
            self._in_link = True
            link = [attrs["href"], "", attrs.get("aria-current") == "page"]
            if self._group is not None:
                self._group["links"].append(link)
            else:
                self.entries.append({"link": link})
            self._link = link

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_nav = False
        elif tag == "details":
            self._group = None
        elif tag == "summary":
            self._in_summary = False
        elif tag == "a":
            self._in_link = False

    def handle_data(self, data):
        if self._in_summary:
            self._group["label"] += data.strip()
        elif self._in_link:
            self._link[1] += data.strip()

    @property
    def groups(self) -> list[dict]:
        return [entry for entry in self.entries if "links" in entry]

    @property
    def links(self) -> list[list]:
        found = []
        for entry in self.entries:
            found += entry["links"] if "links" in entry else [entry["link"]]
        return found


def menu_of(user, url: str) -> Menu:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return Menu(response.content.decode())


def test_the_office_menu_is_its_groups_in_order(cast):
    menu = menu_of(cast.carol, reverse("core:home"))
    assert [group["label"] for group in menu.groups] == [
        "组织与人员",
        "审核",
        "报送与培训",
        "规则与计划",
        "结果与年度",
        "系统",
    ]
    assert len(menu.groups) == len(menu.entries)  # no link left loose in the bar
    by_label = {group["label"]: [label for _, label, _ in group["links"]] for group in menu.groups}
    assert by_label["审核"] == ["学分申报", "申报审批", "抽查复核", "待审批的减免"]
    assert "网络学习审计" in by_label["报送与培训"]
    assert by_label["系统"] == ["接口令牌", "审计日志"]


def test_the_office_menu_keeps_every_link_once(cast):
    flat = [item.href for item in nav.collect(cast.carol)]
    assert len(flat) > nav.FLAT_UP_TO
    hrefs = [href for href, _, _ in menu_of(cast.carol, reverse("core:home")).links]
    assert sorted(hrefs) == sorted(flat)
    assert len(set(hrefs)) == len(hrefs)


def test_the_groups_are_worded_in_english_for_an_english_reader(cast):
    client = Client()
    client.force_login(cast.carol)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    labels = [group["label"] for group in Menu(client.get("/").content.decode()).groups]
    assert labels[:2] == ["Organisation and people", "Review"] and labels[-1] == "System"


def test_a_learners_menu_stays_one_row(cast):
    menu = menu_of(cast.lena, reverse("reports:me"))
    assert menu.groups == []
    assert [href for href, _, _ in menu.links] == [item.href for item in nav.collect(cast.lena)]
    assert [label for _, label, current in menu.links if current] == ["我的学时"]


def test_a_group_of_one_link_is_that_link_in_the_bar(cast):
    menu = menu_of(cast.alice, reverse("orgs:people"))
    assert menu.groups  # a unit administrator's menu is grouped …
    loose = [entry["link"][1] for entry in menu.entries if "link" in entry]
    assert "消息" in loose  # … and the only link of "我的" stands in the bar, with no button
    assert "我的" not in [group["label"] for group in menu.groups]


def test_the_group_holding_the_page_is_marked(cast):
    menu = menu_of(cast.carol, reverse("claims:spot_checks"))
    marked = [group for group in menu.groups if group["marked"]]
    assert [group["label"] for group in marked] == ["审核"]
    assert marked[0]["aria_current"] == "true"
    assert [label for _, label, current in menu.links if current] == ["抽查复核"]


def test_a_page_off_the_menu_marks_its_apps_group(cast):
    # A person's page is listed nowhere in the menu; its app's links are all in one group.
    menu = menu_of(cast.carol, reverse("orgs:person_detail", args=[cast.person_a.pk]))
    assert [group["label"] for group in menu.groups if group["marked"]] == ["组织与人员"]
    assert not any(current for _, _, current in menu.links)


def test_a_page_whose_app_spans_groups_marks_none(cast):
    # The claim types (规则与计划) and the claims to approve (审核) are both the claims app's.
    menu = menu_of(cast.carol, reverse("claims:new"))
    assert not any(group["marked"] for group in menu.groups)
