"""Form definitions: parsing and refusing definitions, loading files, validating submissions."""
from __future__ import annotations

import json
import time
import unicodedata
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tiepdan.engine.forms import (
    FIELD_TYPES,
    FORM_ERROR_KEY,
    Field,
    FormDefinition,
    FormError,
    content_hash,
    load_form,
    load_forms,
    parse_form,
    validate_forms_dir,
)

TODAY = date(2026, 3, 15)

# A form using every type and every optional key; also written to disk by the loading tests.
EVERY_TYPE_YAML = """\
title: "Tiếp nhận đơn"
title_en: "Receive petition"
description: "Nhập thông tin người gửi đơn."
fields:
  - name: full_name
    label: "Họ và tên"
    label_en: "Full name"
    help: "Ghi đầy đủ, có dấu."
    type: text
    required: true
    max_length: 6
    min_length: 2
  - name: case_number
    label: "Số hồ sơ"
    type: text
    pattern: "[0-9]+/[A-Z]+"
    pattern_message: "Số hồ sơ có dạng 123/ABC."
  - name: content
    label: "Nội dung"
    type: textarea
    max_length: 2000
  - name: petitioner_count
    label: "Số người"
    type: integer
    min: 1
    max: 10000
  - name: amount
    label: "Số tiền (triệu đồng)"
    type: number
    min: 0
    max: 1000.5
  - name: received_on
    label: "Ngày nhận"
    type: date
    min: 2020-01-01
    max: today
    default: today
  - name: anonymous
    label: "Ẩn danh"
    type: boolean
  - name: petition_type
    label: "Loại đơn"
    type: select
    required: true
    default: complaint
    options:
      - {value: complaint, label: "Khiếu nại", label_en: "Complaint"}
      - {value: denunciation, label: "Tố cáo"}
      - {value: mixed, label: "Hỗn hợp"}
  - name: reason
    label: "Lý do"
    type: textarea
    required_if: {field: petition_type, equals: mixed}
  - name: topics
    label: "Lĩnh vực"
    type: multiselect
    options:
      - {value: land, label: "Đất đai"}
      - {value: housing, label: "Nhà ở"}
      - {value: "yes", label: "Khác"}
  - name: land_parcel
    label: "Số thửa đất"
    type: text
    required_if: {field: topics, in: [land]}
  - name: email
    label: "Thư điện tử"
    type: email
  - name: phone
    label: "Số điện thoại"
    type: phone
  - name: id_number
    label: "Số CCCD/CMND/hộ chiếu"
    type: id_number
"""


def every_type_form() -> FormDefinition:
    return parse_form("tiep_nhan", yaml.safe_load(EVERY_TYPE_YAML))


def minimal(**field) -> dict:
    """A one-field definition (plus a select named `kind` that conditions may refer to)."""
    base = {"name": "f", "label": "Trường", "type": "text"}
    base.update(field)
    return {
        "title": "Biểu mẫu",
        "fields": [
            base,
            {"name": "kind", "label": "Loại", "type": "select",
             "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
        ],
    }


def one_field(**field) -> FormDefinition:
    return parse_form("mau", minimal(**field))


def check(form: FormDefinition, data) -> tuple[dict, dict]:
    cleaned, errors = form.validate(data, today=TODAY)
    json.dumps(cleaned, allow_nan=False)
    json.dumps(errors, allow_nan=False)
    assert not set(cleaned) & set(errors)
    assert set(cleaned) <= {f.name for f in form.fields}
    assert all(isinstance(m, str) and m for m in errors.values())
    return cleaned, errors


def refusal(raw, name="mau") -> str:
    with pytest.raises(FormError) as info:
        parse_form(name, raw)
    return str(info.value)


def refusals(raw, name="mau") -> tuple[str, ...]:
    with pytest.raises(FormError) as info:
        parse_form(name, raw)
    return info.value.problems


# ------------------------------------------------------------------------------------------
# Valid definitions


def test_every_type_parses():
    form = every_type_form()
    assert form.name == "tiep_nhan"
    assert form.title == "Tiếp nhận đơn"
    assert form.title_en == "Receive petition"
    assert {f.type for f in form.fields} == set(FIELD_TYPES)
    assert isinstance(form.fields[0], Field)
    petition_type = form.get_field("petition_type")
    assert petition_type.required and petition_type.option_values == ("complaint", "denunciation", "mixed")
    assert form.get_field("received_on").min == "2020-01-01"  # unquoted YAML date accepted
    assert form.get_field("received_on").max == "today"
    assert form.get_field("reason").required_if.values == ("mixed",)
    assert form.get_field("missing") is None


def test_to_dict_is_json_and_round_trips():
    form = every_type_form()
    as_dict = form.to_dict()
    assert json.loads(json.dumps(as_dict, allow_nan=False)) == as_dict
    assert parse_form(form.name, as_dict) == form
    assert parse_form(form.name, json.loads(json.dumps(as_dict))) == form
    field = as_dict["fields"][0]
    assert field == {
        "name": "full_name", "label": "Họ và tên", "label_en": "Full name",
        "help": "Ghi đầy đủ, có dấu.", "type": "text", "required": True,
        "min_length": 2, "max_length": 6,
    }
    assert as_dict["fields"][8]["required_if"] == {"field": "petition_type", "equals": "mixed"}
    assert as_dict["fields"][10]["required_if"] == {"field": "topics", "in": ["land"]}


def test_content_hash_is_stable_and_tracks_changes():
    form = every_type_form()
    digest = content_hash(form)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert content_hash(every_type_form()) == digest
    # Key order and NFD text in the YAML do not matter; content does.
    reordered = yaml.safe_load(EVERY_TYPE_YAML)
    reordered = {"fields": reordered["fields"], **{k: v for k, v in reordered.items() if k != "fields"}}
    reordered["title"] = unicodedata.normalize("NFD", reordered["title"])
    assert content_hash(parse_form("tiep_nhan", reordered)) == digest
    changed = yaml.safe_load(EVERY_TYPE_YAML)
    changed["fields"][0]["label"] = "Họ tên"
    assert content_hash(parse_form("tiep_nhan", changed)) != digest


def test_defaults_are_cleaned_and_checked():
    assert one_field(type="integer", default="7").get_field("f").default == 7
    assert one_field(type="boolean", default=False).get_field("f").default is False
    assert one_field(type="phone", default="+84 912 345 678").get_field("f").default == "0912345678"
    multi = one_field(type="multiselect", options=[{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}],
                      default=["y", "x"])
    assert multi.get_field("f").default == ("x", "y")
    assert multi.to_dict()["fields"][0]["default"] == ["x", "y"]
    assert "not a valid value" in refusal(minimal(type="select", options=[{"value": "x", "label": "X"}], default="z"))
    assert "not a valid value" in refusal(minimal(type="date", default="30/02/2026"))


def test_optional_name_key_must_match_file_name():
    raw = minimal()
    raw["name"] = "mau"
    assert parse_form("mau", raw).name == "mau"
    raw["name"] = "khac"
    assert "'name' is 'khac'" in refusal(raw)


# ------------------------------------------------------------------------------------------
# Refused definitions: every message is one line naming the form and, where there is one, the field


def _with(raw: dict, **changes) -> dict:
    raw = dict(raw)
    raw.update(changes)
    return raw


REFUSALS = {
    "list instead of mapping": ([{"title": "x"}], "must be a mapping"),
    "text instead of mapping": ("title: x", "must be a mapping"),
    "missing title": ({"fields": minimal()["fields"]}, "missing 'title'"),
    "empty title": (_with(minimal(), title="  "), "'title' is empty"),
    "title not text": (_with(minimal(), title=["a"]), "'title' must be text"),
    "missing fields": ({"title": "Biểu mẫu"}, "missing 'fields'"),
    "empty fields": ({"title": "Biểu mẫu", "fields": []}, "'fields' is empty"),
    "fields not a list": ({"title": "Biểu mẫu", "fields": {"name": "f"}}, "'fields' must be a list"),
    "field not a mapping": ({"title": "Biểu mẫu", "fields": ["f"]}, "field #1: must be a mapping"),
    "unknown top-level key": (_with(minimal(), titel="x"), "unknown key 'titel' (did you mean 'title'?)"),
    "missing name": ({"title": "T", "fields": [{"label": "L", "type": "text"}]}, "field #1: missing 'name'"),
    "upper-case name": (minimal(name="Full_name"), "field #1: name 'Full_name' must be lowercase"),
    "name with digit first": (minimal(name="1st"), "name '1st' must be lowercase"),
    "name with hyphen": (minimal(name="full-name"), "name 'full-name' must be lowercase"),
    "name with Vietnamese letters": (minimal(name="họ_tên"), "must be lowercase"),
    "name read as boolean": (minimal(name=True), "name True must be lowercase"),
    "duplicate name": (minimal(name="kind"), "field 'kind': duplicate field name (also field #1)"),
    "missing label": (minimal(label=None), "field 'f': missing 'label'"),
    "missing type": (minimal(type=None), "field 'f': missing 'type'"),
    "unknown type": (minimal(type="string"), "field 'f': unknown type 'string'"),
    "type typo": (minimal(type="interger"), "unknown type 'interger' (did you mean 'integer'?)"),
    "typo requird": (minimal(requird=True), "field 'f': unknown key 'requird' (did you mean 'required'?)"),
    "typo max_lenght": (minimal(max_lenght=5), "unknown key 'max_lenght' (did you mean 'max_length'?)"),
    "key of another type": (minimal(options=[{"value": "a", "label": "A"}]),
                            "key 'options' does not apply to type 'text'"),
    "max_length on integer": (minimal(type="integer", max_length=3), "key 'max_length' does not apply to type 'integer'"),
    "required not boolean": (minimal(required="có"), "'required' must be true or false"),
    "select without options": (minimal(type="select"), "field 'f': missing 'options'"),
    "multiselect empty options": (minimal(type="multiselect", options=[]), "'options' must be a non-empty list"),
    "option without label": (minimal(type="select", options=[{"value": "a"}]), "field 'f', option #1: missing 'label'"),
    "option typo": (minimal(type="select", options=[{"value": "a", "lable": "A"}]),
                    "unknown key 'lable' (did you mean 'label'?)"),
    "duplicate option values": (
        minimal(type="select", options=[{"value": "a", "label": "A"}, {"value": "a", "label": "A2"}]),
        "field 'f', option #2: duplicate option value 'a' (also option #1)",
    ),
    "option value yes read as boolean": (
        minimal(type="select", options=[{"value": True, "label": "Có"}]),
        "'value' must be text, got the boolean True",
    ),
    "option value number": (minimal(type="select", options=[{"value": 1, "label": "Một"}]), "write it in quotes"),
    "integer min > max": (minimal(type="integer", min=10, max=1), "field 'f': min 10 is greater than max 1"),
    "number min > max": (minimal(type="number", min=1.5, max=1.25), "min 1.5 is greater than max 1.25"),
    "date min > max": (minimal(type="date", min=date(2026, 1, 2), max="2026-01-01"), "is greater than max"),
    "min_length > max_length": (minimal(min_length=10, max_length=5), "min_length 10 is greater than max_length 5"),
    "integer min not whole": (minimal(type="integer", min=1.5), "'min' must be a whole number"),
    "date bound not a date": (minimal(type="date", max="tomorrow"), "'max' must be 'today' or a date"),
    "max_length too large": (minimal(max_length=10**6), "holds at most 1000 characters"),
    "bad pattern": (minimal(pattern="([a-z", pattern_message="Sai"), "'pattern' is not a valid regular expression"),
    "pattern without message": (minimal(pattern="[a-z]+"), "'pattern' needs a 'pattern_message'"),
    "required_if unknown field": (minimal(required_if={"field": "knid", "equals": "a"}),
                                  "field 'f': 'required_if' refers to unknown field 'knid' (did you mean 'kind'?)"),
    "required_if itself": (minimal(required_if={"field": "f", "equals": "a"}), "refers to the field itself"),
    "required_if value not an option": (minimal(required_if={"field": "kind", "equals": "c"}),
                                        "'required_if' value 'c' is not one of its options of field 'kind'"),
    "required_if equals and in": (minimal(required_if={"field": "kind", "equals": "a", "in": ["b"]}),
                                  "needs exactly one of 'equals' or 'in'"),
    "required_if typo": (minimal(required_if={"field": "kind", "equal": "a"}), "unknown key 'equal'"),
    "required and required_if": (minimal(required=True, required_if={"field": "kind", "equals": "a"}),
                                 "has both 'required: true' and 'required_if'"),
}


@pytest.mark.parametrize("raw, expected", REFUSALS.values(), ids=REFUSALS.keys())
def test_refused_definitions(raw, expected):
    problems = refusals(raw)
    assert any(expected in problem for problem in problems), problems
    # A typo'd key may also leave a required key missing; each problem is still its own line.
    assert len(problems) <= 2
    for problem in problems:
        assert "\n" not in problem
        assert problem.startswith("form 'mau'")


def test_bad_form_name():
    assert "form name" in refusal(minimal(), name="Phân loại")


def test_every_problem_of_a_form_is_reported_one_per_line():
    raw = {"title": "T", "fields": [
        {"name": "a", "label": "A", "type": "txt"},
        {"name": "b", "label": "B", "type": "text", "requird": True},
        {"name": "a", "label": "A2", "type": "text"},
    ]}
    with pytest.raises(FormError) as info:
        parse_form("mau", raw)
    assert info.value.problems == (
        "form 'mau', field 'a': unknown type 'txt' (did you mean 'text'?)",
        "form 'mau', field 'b': unknown key 'requird' (did you mean 'required'?)",
        "form 'mau', field 'a': duplicate field name (also field #1)",
    )
    assert str(info.value) == "\n".join(info.value.problems)


def test_form_error_is_a_value_error():
    assert issubclass(FormError, ValueError)


# ------------------------------------------------------------------------------------------
# Files and directories (fixtures are written to tmp_path)


def write(directory: Path, name: str, text: str | bytes) -> Path:
    path = directory / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_load_form_from_file(tmp_path):
    path = write(tmp_path, "tiep_nhan.yaml", EVERY_TYPE_YAML)
    assert load_form(path) == every_type_form()
    with_bom = write(tmp_path, "bom.yaml", b"\xef\xbb\xbf" + minimal_yaml().encode("utf-8"))
    assert load_form(with_bom).title == "Biểu mẫu"


def minimal_yaml() -> str:
    return 'title: "Biểu mẫu"\nfields:\n  - {name: f, label: "Trường", type: text}\n'


@pytest.mark.parametrize("content, expected", [
    ("title: [unclosed\n", "YAML syntax error at line 2"),
    ("", "the file is empty"),
    ("- a\n- b\n", "must be a mapping"),
    ('title: "A"\ntitle: "B"\nfields: []\n', "duplicate key 'title' at line 2"),
    ('title: "A"\nfields:\n  - name: f\n    label: L\n    type: text\n    label: M\n', "duplicate key 'label' at line 6"),
    ("title: !!python/object/apply:os.system ['true']\nfields: []\n", "YAML syntax error"),
    ("title: x\n---\ntitle: y\n", "YAML syntax error"),
    ('title: "x"\nfields:\n  - {name: f, label: L, type: select, options: [{value: no, label: "Không"}]}\n',
     "'value' must be text, got the boolean False"),
], ids=["syntax", "empty", "list", "dup-top", "dup-field", "python-tag", "two-documents", "yaml-no"])
def test_load_form_refusals_name_the_file(tmp_path, content, expected):
    path = write(tmp_path, "mau.yaml", content)
    with pytest.raises(FormError) as info:
        load_form(path)
    for line in info.value.problems:
        assert line.startswith(f"{path}: ")
        assert "\n" not in line
    assert expected in str(info.value)


def test_load_form_not_utf8_and_unreadable(tmp_path):
    path = write(tmp_path, "mau.yaml", minimal_yaml().encode("utf-16"))
    with pytest.raises(FormError, match=r"mau\.yaml: not UTF-8 text"):
        load_form(path)
    with pytest.raises(FormError, match=r"khong_co\.yaml: cannot read the file"):
        load_form(tmp_path / "khong_co.yaml")


def test_load_forms_and_validate_dir(tmp_path):
    write(tmp_path, "tiep_nhan.yaml", EVERY_TYPE_YAML)
    write(tmp_path, "mau.yaml", minimal_yaml())
    write(tmp_path, "README.md", "not a form")
    write(tmp_path, ".#mau.yaml", "editor lock file")
    (tmp_path / "sub.yaml").mkdir()
    forms = load_forms(tmp_path)
    assert sorted(forms) == ["mau", "tiep_nhan"]
    assert forms["tiep_nhan"] == every_type_form()
    assert validate_forms_dir(tmp_path) == []


def test_load_forms_lists_every_problem(tmp_path):
    write(tmp_path, "a_ok.yaml", minimal_yaml())
    write(tmp_path, "b_bad.yaml", 'title: "B"\nfields:\n  - {name: f, label: L, type: txt, requird: true}\n')
    write(tmp_path, "c_broken.yaml", "title: [\n")
    write(tmp_path, "d_old.yml", minimal_yaml())
    write(tmp_path, "Sai Tên.yaml", minimal_yaml())
    with pytest.raises(FormError) as info:
        load_forms(tmp_path)
    problems = info.value.problems
    assert problems == tuple(validate_forms_dir(tmp_path))
    assert len(problems) == 5
    assert problems[0].startswith(f"{tmp_path / 'Sai Tên.yaml'}: form 'Sai Tên': form name")
    assert problems[1] == f"{tmp_path / 'b_bad.yaml'}: form 'b_bad', field 'f': unknown type 'txt' (did you mean 'text'?)"
    assert problems[2] == (f"{tmp_path / 'b_bad.yaml'}: form 'b_bad', field 'f': unknown key 'requird' "
                           "(did you mean 'required'?)")
    assert problems[3].startswith(f"{tmp_path / 'c_broken.yaml'}: YAML syntax error at line 2")
    assert problems[4] == f"{tmp_path / 'd_old.yml'}: forms must end in .yaml; rename it to d_old.yaml"


def test_load_forms_missing_dir(tmp_path):
    assert validate_forms_dir(tmp_path / "nope") == [f"{tmp_path / 'nope'}: not a directory"]


# ------------------------------------------------------------------------------------------
# Submissions


VALID = {
    "full_name": "Nguyễn",
    "case_number": "12/ABC",
    "content": "Dòng 1\r\nDòng 2",
    "petitioner_count": "3",
    "amount": "12,5",
    "received_on": "14/03/2026",
    "anonymous": "on",
    "petition_type": "complaint",
    "topics": ["housing", "land"],
    "land_parcel": "Thửa 12",
    "email": "Cong.Dan@Example.VN",
    "phone": "091 234 5678",
    "id_number": "001203012345",
}


def test_valid_submission_from_html_form():
    cleaned, errors = check(every_type_form(), VALID)
    assert errors == {}
    assert cleaned == {
        "full_name": "Nguyễn",
        "case_number": "12/ABC",
        "content": "Dòng 1\nDòng 2",
        "petitioner_count": 3,
        "amount": 12.5,
        "received_on": "2026-03-14",
        "anonymous": True,
        "petition_type": "complaint",
        "reason": None,
        "topics": ["land", "housing"],
        "land_parcel": "Thửa 12",
        "email": "Cong.Dan@example.vn",
        "phone": "0912345678",
        "id_number": "001203012345",
    }


def test_valid_submission_from_json_api():
    data = dict(VALID, petitioner_count=3, amount=12, anonymous=False, received_on="2026-03-14")
    cleaned, errors = check(every_type_form(), data)
    assert errors == {}
    assert cleaned["petitioner_count"] == 3 and cleaned["amount"] == 12.0
    assert cleaned["anonymous"] is False


def test_empty_optional_fields_clean_to_empty_values():
    cleaned, errors = check(every_type_form(), {"full_name": "An", "petition_type": "mixed", "reason": "x"})
    assert errors == {}
    assert cleaned["content"] is None and cleaned["received_on"] is None
    assert cleaned["anonymous"] is False and cleaned["topics"] == []


@pytest.mark.parametrize("missing", [None, "", "   ", "\t\n", "\u00a0"], ids=repr)
def test_required_missing(missing):
    form = every_type_form()
    for data in ({}, {"full_name": missing, "petition_type": missing}):
        cleaned, errors = check(form, data)
        assert errors == {"full_name": "Trường này là bắt buộc.", "petition_type": "Trường này là bắt buộc."}
        assert "full_name" not in cleaned


def test_unknown_keys_are_ignored():
    cleaned, errors = check(every_type_form(), dict(VALID, is_admin=True, __proto__={"x": 1}, reason_typo="x"))
    assert errors == {}
    assert not {"is_admin", "__proto__", "reason_typo"} & set(cleaned)


def test_not_a_mapping():
    form = every_type_form()
    for data in (None, [], ["full_name"], "full_name=An", 42):
        assert form.validate(data) == ({}, {FORM_ERROR_KEY: "Dữ liệu gửi lên không hợp lệ."})


# text / textarea


def test_text_length_counts_characters_not_bytes():
    form = every_type_form()  # full_name: min_length 2, max_length 6
    assert len("Nguyễn".encode("utf-8")) > 6
    assert check(form, dict(VALID, full_name="Nguyễn"))[0]["full_name"] == "Nguyễn"
    assert check(form, dict(VALID, full_name="  Nguyễn  "))[0]["full_name"] == "Nguyễn"
    decomposed = unicodedata.normalize("NFD", "Nguyễn")
    assert len(decomposed) > 6
    assert check(form, dict(VALID, full_name=decomposed))[0]["full_name"] == "Nguyễn"  # stored as NFC
    assert check(form, dict(VALID, full_name="Nguyễnn"))[1] == {"full_name": "Tối đa 6 ký tự."}
    assert check(form, dict(VALID, full_name="Ấ"))[1] == {"full_name": "Tối thiểu 2 ký tự."}


def test_textarea_max_length_with_vietnamese():
    form = every_type_form()  # content: max_length 2000
    assert check(form, dict(VALID, content="ệ" * 2000))[1] == {}
    assert check(form, dict(VALID, content="ệ" * 2001))[1] == {"content": "Tối đa 2000 ký tự."}


def test_text_refuses_control_characters_and_newlines():
    form = every_type_form()
    assert check(form, dict(VALID, full_name="An\x00"))[1] == {"full_name": "Chứa ký tự không hợp lệ."}
    assert check(form, dict(VALID, full_name="An\ud800"))[1] == {"full_name": "Chứa ký tự không hợp lệ."}
    assert check(form, dict(VALID, full_name="A\nB"))[1] == {"full_name": "Không được xuống dòng."}
    assert check(form, dict(VALID, content="a\x1bb"))[1] == {"content": "Chứa ký tự không hợp lệ."}
    assert check(form, dict(VALID, content="a\tb\nc"))[0]["content"] == "a\tb\nc"


def test_text_without_max_length_has_a_ceiling():
    form = one_field()
    assert check(form, {"f": "a" * 1000})[1] == {}
    assert check(form, {"f": "a" * 1001})[1] == {"f": "Tối đa 1000 ký tự."}


def test_text_pattern():
    form = every_type_form()
    assert check(form, dict(VALID, case_number="12/abc"))[1] == {"case_number": "Số hồ sơ có dạng 123/ABC."}
    assert check(form, dict(VALID, case_number="12/ABC/x"))[1] == {"case_number": "Số hồ sơ có dạng 123/ABC."}


@pytest.mark.parametrize("value", [42, 4.2, True, ["An"], {"a": "b"}], ids=repr)
def test_text_refuses_non_strings(value):
    assert check(every_type_form(), dict(VALID, full_name=value))[1] == {"full_name": "Giá trị không hợp lệ."}


# integer / number


@pytest.mark.parametrize("value, expected", [
    ("1", 1), (" 42 ", 42), ("+7", 7), ("10000", 10000), (5, 5), (5.0, 5),
])
def test_integer_valid(value, expected):
    cleaned, errors = check(every_type_form(), dict(VALID, petitioner_count=value))
    assert errors == {} and cleaned["petitioner_count"] == expected and type(cleaned["petitioner_count"]) is int


@pytest.mark.parametrize("value, message", [
    ("0", "Giá trị tối thiểu là 1."),
    (-5, "Giá trị tối thiểu là 1."),
    ("10001", "Giá trị tối đa là 10000."),
    ("2.5", "Phải là số nguyên."),
    (2.5, "Phải là số nguyên."),
    ("1.000", "Phải là số nguyên."),
    ("1_000", "Phải là số nguyên."),
    ("abc", "Phải là số nguyên."),
    ("١٢", "Phải là số nguyên."),  # Arabic-Indic digits, which int() would accept
    ("１２", "Phải là số nguyên."),  # full-width digits
    (True, "Phải là số nguyên."),
    (float("nan"), "Phải là số nguyên."),
    (float("inf"), "Phải là số nguyên."),
    ("9" * 5000, "Phải là số nguyên."),
    (10**30, "Giá trị quá lớn."),
    ([1], "Phải là số nguyên."),
])
def test_integer_invalid(value, message):
    assert check(every_type_form(), dict(VALID, petitioner_count=value))[1] == {"petitioner_count": message}


@pytest.mark.parametrize("value, expected", [
    ("12.5", 12.5), ("12,5", 12.5), ("0", 0.0), ("-0", 0.0), (1000.5, 1000.5), (3, 3.0), (",5", 0.5),
])
def test_number_valid(value, expected):
    cleaned, errors = check(every_type_form(), dict(VALID, amount=value))
    assert errors == {} and cleaned["amount"] == expected and type(cleaned["amount"]) is float


@pytest.mark.parametrize("value, message", [
    ("-0.5", "Giá trị tối thiểu là 0."),
    ("1000.6", "Giá trị tối đa là 1000.5."),
    ("1.2.3", "Phải là số."),
    ("1e3", "Phải là số."),
    ("nan", "Phải là số."),
    (float("nan"), "Phải là số."),
    (float("-inf"), "Phải là số."),
    (False, "Phải là số."),
    (10**400, "Giá trị quá lớn."),
    ({"value": 1}, "Phải là số."),
])
def test_number_invalid(value, message):
    assert check(every_type_form(), dict(VALID, amount=value))[1] == {"amount": message}


# date


@pytest.mark.parametrize("value", ["2026-03-14", "14/03/2026", "14/3/2026", " 14/03/2026 ", date(2026, 3, 14)], ids=str)
def test_date_valid(value):
    cleaned, errors = check(every_type_form(), dict(VALID, received_on=value))
    assert errors == {} and cleaned["received_on"] == "2026-03-14"


@pytest.mark.parametrize("value", [
    "2026-02-30", "30/02/2026", "31/13/2026", "2026-13-01", "00/01/2026", "abc", "2026/03/14", "14-03-2026",
    "14/03/26", "2026-3-14", "20260314", 20260314, datetime(2026, 3, 14, 8, 0), ["2026-03-14"], "2" * 10_000,
], ids=repr)
def test_date_invalid(value):
    assert check(every_type_form(), dict(VALID, received_on=value))[1] == {"received_on": "Ngày không hợp lệ (dd/mm/yyyy)."}


def test_date_bounds():
    form = every_type_form()  # min 2020-01-01, max today (2026-03-15 in these tests)
    assert check(form, dict(VALID, received_on="15/03/2026"))[1] == {}
    assert check(form, dict(VALID, received_on="16/03/2026"))[1] == {"received_on": "Ngày không được sau ngày hôm nay."}
    assert check(form, dict(VALID, received_on="31/12/2019"))[1] == {"received_on": "Ngày không được trước 01/01/2020."}
    later = form.validate(dict(VALID, received_on="16/03/2026"), today=date(2026, 3, 16))
    assert later[1] == {}
    future = one_field(type="date", min="today", max="2030-12-31")
    assert check(future, {"f": "14/03/2026"})[1] == {"f": "Ngày không được trước ngày hôm nay."}
    assert check(future, {"f": "01/01/2031"})[1] == {"f": "Ngày không được sau 31/12/2030."}


def test_date_today_defaults_to_the_local_date():
    form = one_field(type="date", max="today")
    assert form.validate({"f": "2000-01-01"}) == ({"f": "2000-01-01", "kind": None}, {})
    assert form.validate({"f": "2999-01-01"})[1] == {"f": "Ngày không được sau ngày hôm nay."}


# boolean


@pytest.mark.parametrize("value, expected", [
    ("on", True), ("true", True), ("1", True), (True, True), (1, True),
    (None, False), ("", False), ("false", False), ("0", False), ("off", False), (False, False), (0, False),
], ids=repr)
def test_boolean_valid(value, expected):
    cleaned, errors = check(every_type_form(), dict(VALID, anonymous=value))
    assert errors == {} and cleaned["anonymous"] is expected


def test_boolean_absent_is_false():
    data = dict(VALID)
    del data["anonymous"]
    assert check(every_type_form(), data)[0]["anonymous"] is False


@pytest.mark.parametrize("value", ["maybe", 2, "on" * 100, ["on"], {"on": True}], ids=repr)
def test_boolean_invalid(value):
    assert check(every_type_form(), dict(VALID, anonymous=value))[1] == {"anonymous": "Giá trị không hợp lệ."}


def test_required_boolean_must_be_ticked():
    form = one_field(type="boolean", required=True)
    assert check(form, {})[1] == {"f": "Trường này là bắt buộc."}
    assert check(form, {"f": "false"})[1] == {"f": "Trường này là bắt buộc."}
    assert check(form, {"f": "on"}) == ({"f": True, "kind": None}, {})


# select / multiselect


@pytest.mark.parametrize("value", ["other", "Complaint", 1, True, ["complaint"], {"value": "complaint"}], ids=repr)
def test_select_outside_options(value):
    errors = check(every_type_form(), dict(VALID, petition_type=value))[1]
    assert errors == {"petition_type": "Giá trị không nằm trong danh sách cho phép."}


def test_select_trims():
    assert check(every_type_form(), dict(VALID, petition_type=" denunciation "))[0]["petition_type"] == "denunciation"


def test_multiselect():
    form = every_type_form()
    assert check(form, dict(VALID, topics=["yes", "housing", "housing", ""]))[0]["topics"] == ["housing", "yes"]
    assert check(form, dict(VALID, topics="housing"))[0]["topics"] == ["housing"]
    assert check(form, dict(VALID, topics=[]))[0]["topics"] == []
    for bad in (["housing", "cars"], ["housing", 3], ["housing", ["land"]], {"land": True}, 7, ["x"] * 5000):
        assert check(form, dict(VALID, topics=bad))[1] == {"topics": "Giá trị không nằm trong danh sách cho phép."}


def test_required_multiselect():
    form = one_field(type="multiselect", required=True, options=[{"value": "x", "label": "X"}])
    assert check(form, {"f": []})[1] == {"f": "Trường này là bắt buộc."}
    assert check(form, {"f": [""]})[1] == {"f": "Trường này là bắt buộc."}
    assert check(form, {"f": ["x"]})[1] == {}


def test_werkzeug_multidict_as_posted():
    data = MultiDict([(k, v) for k, v in VALID.items() if k != "topics"] + [("topics", "land"), ("topics", "yes")])
    cleaned, errors = check(every_type_form(), data)
    assert errors == {}
    assert cleaned["topics"] == ["land", "yes"]
    assert cleaned["full_name"] == "Nguyễn"


# email / phone / id_number


@pytest.mark.parametrize("value, expected", [
    ("a@b.vn", "a@b.vn"), (" An.Nguyen@Gov.VN ", "An.Nguyen@gov.vn"), ("tiep.dan+1@ubnd.hanoi.gov.vn", None),
])
def test_email_valid(value, expected):
    cleaned, errors = check(every_type_form(), dict(VALID, email=value))
    assert errors == {} and cleaned["email"] == (expected or value)


@pytest.mark.parametrize("value", ["a", "a@b", "a@@b.vn", "a b@c.vn", "@b.vn", "a@.vn", "a@b..vn", 5, "a@b.vn\x00"])
def test_email_invalid(value):
    assert check(every_type_form(), dict(VALID, email=value))[1] == {"email": "Địa chỉ email không hợp lệ."}


@pytest.mark.parametrize("value, expected", [
    ("0912345678", "0912345678"),
    ("+84912345678", "0912345678"),
    ("+84 91 234 5678", "0912345678"),
    ("091.234.5678", "0912345678"),
    ("091-234-5678", "0912345678"),
])
def test_phone_valid(value, expected):
    cleaned, errors = check(every_type_form(), dict(VALID, phone=value))
    assert errors == {} and cleaned["phone"] == expected


@pytest.mark.parametrize("value", [
    "912345678", "09123456789", "091234567", "+840912345678", "84912345678", "+85912345678",
    "09123456a8", "０９１２３４５６７８", 912345678, "0912345678" * 1000,
], ids=repr)
def test_phone_invalid(value):
    assert check(every_type_form(), dict(VALID, phone=value))[1] == {"phone": "Số điện thoại không hợp lệ (0 hoặc +84 và 9 chữ số)."}


@pytest.mark.parametrize("value, expected", [
    ("001203012345", "001203012345"),  # CCCD
    ("001 203 012 345", "001203012345"),
    ("012345678", "012345678"),  # CMND
    ("B1234567", "B1234567"),  # passport
    (" c1234567 ", "C1234567"),
])
def test_id_number_valid(value, expected):
    cleaned, errors = check(every_type_form(), dict(VALID, id_number=value))
    assert errors == {} and cleaned["id_number"] == expected


@pytest.mark.parametrize("value", [
    "12345", "0123456789", "0012030123456", "00120301234", "AB123456", "B123456", "B12345678", "1B234567",
    "Đ1234567", "00120301234x", 1203012345, "٠٠١٢٠٣٠١٢٣٤٥",
], ids=repr)
def test_id_number_invalid(value):
    errors = check(every_type_form(), dict(VALID, id_number=value))[1]
    assert errors == {"id_number": "Số định danh không hợp lệ (CCCD 12 số, CMND 9 số hoặc hộ chiếu)."}


# required_if


def test_required_if_equals():
    form = every_type_form()
    base = dict(VALID, petition_type="mixed")
    assert check(form, base)[1] == {"reason": "Trường này là bắt buộc."}
    assert check(form, dict(base, reason="  "))[1] == {"reason": "Trường này là bắt buộc."}
    assert check(form, dict(base, reason="Vì sao"))[1] == {}
    assert check(form, dict(VALID, petition_type="denunciation"))[1] == {}
    # An invalid controlling value reports its own error only.
    assert check(form, dict(VALID, petition_type="bogus"))[1] == {
        "petition_type": "Giá trị không nằm trong danh sách cho phép."
    }


def test_required_if_in_with_multiselect_controller():
    form = every_type_form()  # land_parcel required when topics includes land
    base = {k: v for k, v in VALID.items() if k != "land_parcel"}
    assert check(form, dict(base, topics=["housing", "land"]))[1] == {"land_parcel": "Trường này là bắt buộc."}
    assert check(form, dict(base, topics=["housing"]))[1] == {}
    assert check(form, dict(base, topics=[]))[1] == {}


def test_required_if_on_other_types():
    boolean_ctl = parse_form("mau", {"title": "T", "fields": [
        {"name": "by_proxy", "label": "Ủy quyền", "type": "boolean"},
        {"name": "proxy_id", "label": "CCCD người được ủy quyền", "type": "id_number",
         "required_if": {"field": "by_proxy", "equals": True}},
        {"name": "count", "label": "Số người", "type": "integer"},
        {"name": "representative", "label": "Người đại diện", "type": "text",
         "required_if": {"field": "count", "in": [5, "6"]}},
    ]})
    assert boolean_ctl.get_field("representative").required_if.values == (5, 6)
    assert check(boolean_ctl, {"by_proxy": "on"})[1] == {"proxy_id": "Trường này là bắt buộc."}
    assert check(boolean_ctl, {})[1] == {}
    assert check(boolean_ctl, {"count": "6"})[1] == {"representative": "Trường này là bắt buộc."}
    assert check(boolean_ctl, {"count": "7"})[1] == {}


# Hostile submissions


def hostile_values():
    huge = "x" * (10 * 1024 * 1024)
    nested: dict = {"a": {"b": {"c": ["d", {"e": None}]}}}
    return [
        huge, "9" * (10 * 1024 * 1024), "ệ" * (5 * 1024 * 1024), [huge, huge], nested, [nested], None,
        {"__class__": "x"}, object(), b"bytes", bytearray(b"on"), 1 + 2j, float("nan"), -(10**1000),
        set(["land"]), ("land",), date(2026, 3, 14), datetime(2026, 3, 14),
    ]


def test_hostile_values_in_every_field_never_raise():
    form = every_type_form()
    started = time.monotonic()
    for value in hostile_values():
        data = {f.name: value for f in form.fields}
        cleaned, errors = check(form, data)
        assert errors or value is None
        for name, message in errors.items():
            assert len(message) < 200
    assert time.monotonic() - started < 10


def test_none_everywhere():
    form = every_type_form()
    cleaned, errors = check(form, {f.name: None for f in form.fields})
    assert errors == {"full_name": "Trường này là bắt buộc.", "petition_type": "Trường này là bắt buộc."}
    assert cleaned["anonymous"] is False and cleaned["topics"] == []


def test_huge_string_is_refused_with_the_length_message():
    form = every_type_form()
    huge = "ệ" * (10 * 1024 * 1024)
    cleaned, errors = check(form, dict(VALID, full_name=huge, content=huge, case_number=huge))
    assert errors == {"full_name": "Tối đa 6 ký tự.", "content": "Tối đa 2000 ký tự.", "case_number": "Tối đa 1000 ký tự."}


def test_misbehaving_mapping_never_raises():
    class Exploding(dict):
        def get(self, key, default=None):
            raise RuntimeError("boom")

    cleaned, errors = check(every_type_form(), Exploding(VALID))
    assert set(errors) == {f.name for f in every_type_form().fields}


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
    | st.sampled_from(["on", "", " ", "land", "mixed", "complaint", "2026-02-30", "14/03/2026", "0912345678",
                       "+84912345678", "001203012345", "B1234567", "1,5", "12", "a@b.vn"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.dictionaries(st.sampled_from([f.name for f in every_type_form().fields] + ["extra"]), _json_values))
def test_fuzzed_submissions(data):
    form = every_type_form()
    cleaned, errors = check(form, data)
    for name, value in cleaned.items():
        assert value is None or isinstance(value, (str, int, float, bool, list))
    # Whatever was accepted is accepted again unchanged (cleaning is idempotent).
    again, again_errors = check(form, cleaned)
    assert {k: v for k, v in again.items() if k in cleaned} == cleaned
    assert not set(again_errors) & set(cleaned)
