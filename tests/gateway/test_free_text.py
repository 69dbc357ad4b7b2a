"""Phones and ID numbers typed into free text are found by shape, however typed, and shown as
a view says; every other character of the text is left as written."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.access.free_text import find, people_named, shown
from gateway.access.kinds import Kind
from gateway.access.masks import mask_id_number, mask_phone
from gateway.access.views import Access

PHONE = "13884752179"
ID_NUMBER = "320213197508010285"
W, M, L, D = Access.WHOLE, Access.MASKED, Access.MASKED_LOW, Access.DENIED


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        (PHONE, Kind.PHONE, PHONE),
        ("138 8475 2179", Kind.PHONE, PHONE),
        ("138-8475-2179", Kind.PHONE, PHONE),
        ("+86 13884752179", Kind.PHONE, PHONE),
        ("8613884752179", Kind.PHONE, PHONE),
        ("＋８６ １３８８４７５２１７９", Kind.PHONE, PHONE),
        ("１３８８４７５２１７９", Kind.PHONE, PHONE),  # fullwidth
        ("٠٢٥٥٢٣٤٥٦٧٨", Kind.PHONE, "02552345678"),  # Arabic-Indic digits, a landline
        ("025-52345678", Kind.PHONE, "02552345678"),
        ("0512 6812345", Kind.PHONE, "05126812345"),
        (ID_NUMBER, Kind.ID_NUMBER, ID_NUMBER),
        ("32021319750801028x", Kind.ID_NUMBER, "32021319750801028X"),
        ("32021319750801028Ｘ", Kind.ID_NUMBER, "32021319750801028X"),
        ("320213 19750801 0285", Kind.ID_NUMBER, ID_NUMBER),
        ("３２０２１３１９７５０８０１０２８５", Kind.ID_NUMBER, ID_NUMBER),
        # what phones' keyboards and Chinese input methods put between the groups
        ("138\u30008475\u30002179", Kind.PHONE, PHONE),  # ideographic space
        ("138\u00a08475\u00a02179", Kind.PHONE, PHONE),  # no-break space
        ("138\t8475\t2179", Kind.PHONE, PHONE),
        ("138  8475  2179", Kind.PHONE, PHONE),
        ("138 - 8475 - 2179", Kind.PHONE, PHONE),
        ("138－8475－2179", Kind.PHONE, PHONE),  # fullwidth hyphen
        ("138—8475—2179", Kind.PHONE, PHONE),  # em dash
        ("138–8475–2179", Kind.PHONE, PHONE),  # en dash
        ("138‐8475‐2179", Kind.PHONE, PHONE),  # hyphen
        ("138.8475.2179", Kind.PHONE, PHONE),
        ("138·8475·2179", Kind.PHONE, PHONE),
        ("138/8475/2179", Kind.PHONE, PHONE),
        ("138_8475_2179", Kind.PHONE, PHONE),
        ("138,8475,2179", Kind.PHONE, PHONE),
        ("138，8475，2179", Kind.PHONE, PHONE),
        ("1 3 8 8 4 7 5 2 1 7 9", Kind.PHONE, PHONE),  # a digit at a time
        ("一三八八四七五二一七九", Kind.PHONE, PHONE),  # in Chinese numerals
        ("幺三八 八四七五 二幺七九", Kind.PHONE, PHONE),  # as read out
        ("(025)52345678", Kind.PHONE, "02552345678"),
        ("（025）5234 5678", Kind.PHONE, "02552345678"),
        ("320213\u300019750801\u30000285", Kind.ID_NUMBER, ID_NUMBER),
        ("320213—19750801—0285", Kind.ID_NUMBER, ID_NUMBER),
        ("3 2 0 2 1 3 1 9 7 5 0 8 0 1 0 2 8 5", Kind.ID_NUMBER, ID_NUMBER),
        ("三二〇二一三一九七五〇八〇一〇二八五", Kind.ID_NUMBER, ID_NUMBER),
        # characters that show nothing, between the groups or between every digit
        ("138\u200b8475\u200b2179", Kind.PHONE, PHONE),  # zero-width space
        ("138\u00ad8475\u00ad2179", Kind.PHONE, PHONE),  # soft hyphen
        (
            "1\u200d3\u200d8\u200d8\u200d4\u200d7\u200d5\u200d2\u200d1\u200d7\u200d9",
            Kind.PHONE,
            PHONE,
        ),
        ("138\u2060\u2060\u2060\u2060\u2060\u20608475 2179", Kind.PHONE, PHONE),  # six joiners
        ("138\u200b - \ufeff8475\u200e2179", Kind.PHONE, PHONE),
        ("320213\u200b19750801\u200b0285", Kind.ID_NUMBER, ID_NUMBER),
        # digits written otherwise: the financial numerals, "两", drawn as symbols
        ("壹叁捌捌肆柒伍贰壹柒玖", Kind.PHONE, PHONE),
        ("幺三八八四七五两幺七九", Kind.PHONE, PHONE),
        ("①③⑧⑧④⑦⑤②①⑦⑨", Kind.PHONE, PHONE),  # circled
        ("❶❸❽❽❹❼❺❷❶❼❾", Kind.PHONE, PHONE),
        ("⑴⑶⑻⑻⑷⑺⑸⑵⑴⑺⑼", Kind.PHONE, PHONE),  # in brackets
        ("¹³⁸⁸⁴⁷⁵²¹⁷⁹", Kind.PHONE, PHONE),  # superscript
        ("叁贰〇贰壹叁壹玖柒伍〇捌〇壹〇贰捌伍", Kind.ID_NUMBER, ID_NUMBER),
    ],
)
def test_a_value_is_found_however_it_is_typed(typed: str, kind: Kind, value: str) -> None:
    text = f"楼下噪音，请联系{typed}，谢谢"
    [found] = find(text)
    assert (found.kind, found.value) == (kind, value)
    as_typed = typed.lstrip("(（")  # an area code's opening bracket stays
    assert text[found.start : found.end] == as_typed
    masked = mask_phone(value) if kind is Kind.PHONE else mask_id_number(value)
    assert shown(text, {Kind.PHONE: M, Kind.ID_NUMBER: M}) == (text.replace(as_typed, masked), M)


@pytest.mark.parametrize(
    "typed",
    [
        "2026110100002500",  # a case number
        "320213001001003",  # a grid code
        "320213001001",  # a community code
        "RK20260000001234",  # a registry number
        "20261101",  # a date
        "12884752179",  # eleven digits that no mobile starts with
        "138847521790",  # twelve
        "320213297508010285",  # an ID number's shape with no birth century
        "91320213197508010285",  # longer than an ID number
        "91320100MA1X2Y3Z4W",  # a credit code
        "A320213197508010285",  # letters before: a code, not an ID number
        "1388475217",  # ten digits
        "2026-1101-0000-2500",  # a case number in groups
        "1,380,123",  # an amount
        "2026.11.01 13:45",  # a time
        "0.5, 0.3, 0.2, 0.1, 0.4",  # figures
        "一二三四五六七八九",  # counting
        "壹万贰仟叁佰元",  # an amount in the financial numerals
        "①②③",  # a list's numbers
    ],
)
def test_other_numbers_are_left_as_they_are(typed: str) -> None:
    text = f"编号{typed}已处理"
    assert find(text) == []
    assert shown(text, {Kind.PHONE: D, Kind.ID_NUMBER: D}) == (text, None)


def test_each_value_is_shown_by_its_kind_view_and_the_rest_as_written() -> None:
    text = f"邻居电话{PHONE}，身份证{ID_NUMBER}。座机025-52345678"
    assert shown(text, {Kind.PHONE: W, Kind.ID_NUMBER: W}) == (text, W)
    assert shown(text, {Kind.PHONE: M, Kind.ID_NUMBER: M}) == (
        "邻居电话138****2179，身份证320213**********85。座机025****5678",
        M,
    )
    assert shown(text, {Kind.PHONE: W, Kind.ID_NUMBER: L}) == (
        f"邻居电话{PHONE}，身份证3***************85。座机025-52345678",
        W,
    )
    assert shown(text, {}) == (
        f"邻居电话{'*' * 11}，身份证{'*' * 18}。座机{'*' * 12}",
        D,
    )


WORDS = st.text(st.characters(codec="utf-8", exclude_categories=("Nd", "Cs")), max_size=40).filter(
    lambda s: "+" not in s and "＋" not in s
)


@given(before=WORDS, after=WORDS, phone=st.from_regex(r"\A1[3-9][0-9]{9}\Z"))
def test_no_typed_phone_survives_a_masked_view(before: str, after: str, phone: str) -> None:
    text = before + phone + after
    seen, most = shown(text, {Kind.PHONE: M})
    assert phone not in seen
    assert seen == before + phone[:3] + "****" + phone[-4:] + after
    assert most is M


@given(text=WORDS)
def test_text_without_digits_is_untouched(text: str) -> None:
    assert shown(text, {}) == (text, None)


def test_a_number_just_before_a_phone_does_not_hide_it() -> None:
    text = f"3幢12 {PHONE}，8612 {PHONE}"
    assert [text[f.start : f.end] for f in find(text)] == [PHONE, PHONE]


def test_the_people_a_record_names_are_found_by_their_values() -> None:
    class Reporter:
        name, phone, id_number = "尹仪洁", "15271912093", None

    class Case:
        reporter = Reporter()

    known = people_named(Case())
    assert known == [(Kind.NAME, "尹仪洁"), (Kind.PHONE, "15271912093")]
    text = "尹仪洁来电反映：楼道灯不亮，回电15271912093"
    assert shown(text, {Kind.NAME: M, Kind.PHONE: W}, known) == (
        "尹**来电反映：楼道灯不亮，回电15271912093",
        W,
    )
    assert shown(text, {Kind.NAME: W, Kind.PHONE: W}, known) == (text, W)
    assert people_named(None) == []
    for typed in ("尹 仪 洁", "尹-仪洁", "尹\u3000仪\u3000洁"):  # split as a clerk may type it
        assert shown(f"{typed}来电反映", {Kind.NAME: M}, known) == ("尹**来电反映", M)


def test_every_one_of_many_values_is_found_in_order() -> None:
    text = "".join(f"第{i}户{13800000000 + i}，" for i in range(2000))
    found = find(text)
    assert [f.value for f in found] == [str(13800000000 + i) for i in range(2000)]
    seen, _ = shown(text, {Kind.PHONE: M})
    assert seen.count("****") == 2000 and "13800001999" not in seen
