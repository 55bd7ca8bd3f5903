"""Validation of BPMN files: every problem is one line naming file and element; nothing is
published from a file that fails; hostile files are refused before parsing."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from tiepdan.engine.db import transaction
from tiepdan.engine.library import PublishRefused
from tiepdan.engine.models import ProcessVersion

from .conftest import HERE

GOOD = (HERE / "review.bpmn").read_text()


def problems(services, text: str | bytes, name="x.bpmn"):
    data = text.encode() if isinstance(text, str) else text
    return [str(p) for p in services.library.validate(data, name)]


def test_the_test_diagram_is_valid(services):
    assert problems(services, GOOD) == []


@pytest.mark.parametrize(
    "change, element, expected",
    [
        (('name="supervisor"', 'name="janitor"'), "lane_supervisor", "lane 'janitor' is not a known role"),
        (('value="register"/>', 'value="nosuch"/>'), "register", "form 'nosuch' does not exist"),
        (('value="petition.process"/>', 'value="petition.nosuch"/>'), "decide", "deadline rule 'petition.nosuch'"),
        (('id="classify" resultVariable', 'id="teleport" resultVariable'), "classify_letter", "operation 'teleport' is not a registered handler"),
        (('<spiffworkflow:parameter id="content" type="str" value="content"/>', ""), "classify_letter", "needs parameter 'content'"),
        (('classification["kind"] == "complaint"', "__import__('os').system('id')"), "f_complaint", "condition"),
        (('classification["kind"] == "complaint"', "().__class__.__bases__"), "f_complaint", "condition"),
        (('classification["kind"] == "complaint"', "x ==="), "f_complaint", "syntax"),
        (('deadline_end("petition.process", received_on)', 'deadline_end("no.such.rule", received_on)'), "decide_late", "unknown deadline rule 'no.such.rule'"),
        (('<bpmn:timeDate>deadline_end("petition.process", received_on)</bpmn:timeDate>', "<bpmn:timeCycle>R3/PT1H</bpmn:timeCycle>"), "decide_late", "cyclic timers are not supported"),
        (("<bpmn:flowNodeRef>decide</bpmn:flowNodeRef>", ""), "decide", "not in a lane"),
        (('<spiffworkflow:property name="deadline_from" value="received_on"/>',
          '<spiffworkflow:property name="deadline_adjusted" value="maybe"/>'), "decide", "deadline_adjusted must be true or false"),
        (('<spiffworkflow:property name="deadline_from" value="received_on"/>',
          '<spiffworkflow:property name="deadline_variant" value="__import__(1)"/>'), "decide", "deadline variant"),
        (('<spiffworkflow:property name="deadline_rule" value="petition.process"/>',
          '<spiffworkflow:property name="deadline_variant" value="v"/>'), "decide", "deadline_variant needs a deadline_rule"),
    ],
)
def test_each_problem_names_file_element_and_cause(services, change, element, expected):
    old, new = change
    assert old in GOOD
    found = problems(services, GOOD.replace(old, new))
    assert any(line.startswith(f"x.bpmn:{element}:") and expected in line for line in found), found


def test_script_tasks_and_scripts_are_refused(services):
    script = GOOD.replace(
        '<bpmn:serviceTask id="classify_letter" name="Classify">',
        '<bpmn:scriptTask id="hack"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>'
        '<bpmn:serviceTask id="classify_letter" name="Classify">',
    )
    assert any("x.bpmn:hack: script tasks are not allowed" in p for p in problems(services, script))
    prescript = GOOD.replace(
        "<spiffworkflow:properties><spiffworkflow:property name=\"form\" value=\"register\"/></spiffworkflow:properties>",
        "<spiffworkflow:properties><spiffworkflow:property name=\"form\" value=\"register\"/></spiffworkflow:properties>"
        "<spiffworkflow:preScript>open('/etc/passwd')</spiffworkflow:preScript>",
    )
    assert any("x.bpmn:register: pre/post scripts are not allowed" in p for p in problems(services, prescript))


def test_unsupported_elements_are_named(services):
    bad = GOOD.replace('<bpmn:exclusiveGateway id="route"', '<bpmn:complexGateway id="odd"/><bpmn:exclusiveGateway id="route"')
    assert any("x.bpmn:odd: complex gateways are not supported" in p for p in problems(services, bad))
    bad = GOOD.replace('<bpmn:exclusiveGateway id="route"', '<bpmn:choreographyTask id="dance"/><bpmn:exclusiveGateway id="route"')
    assert any("x.bpmn:dance: unsupported BPMN element 'choreographyTask'" in p for p in problems(services, bad))


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol2;</bpmn:definitions>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:documentation>&xxe;</bpmn:documentation></bpmn:definitions>"""


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"this is not xml", "not well-formed XML"),
        (b"", "not well-formed XML"),
        (b"<definitions xmlns='http://example.com/other'/>", "not a BPMN 2.0 document"),
        (BILLION_LAUGHS, "DOCTYPE and entity declarations are not allowed"),
        (XXE, "DOCTYPE and entity declarations are not allowed"),
        (b"<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'>" + b" " * (6 * 1024 * 1024) + b"</bpmn:definitions>", "the limit is"),
        (b"<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL'/>", "no executable process"),
    ],
)
def test_hostile_and_malformed_files_are_refused_and_nothing_is_stored(services, data, expected):
    found = problems(services, data, "bad.bpmn")
    assert len(found) >= 1 and expected in found[0], found
    with transaction(services.sessions) as s:
        before = s.execute(select(func.count()).select_from(ProcessVersion)).scalar_one()
        with pytest.raises(PublishRefused):
            services.library.publish(s, data, "bad.bpmn", "legal")
        assert s.execute(select(func.count()).select_from(ProcessVersion)).scalar_one() == before


def test_cli_validate_prints_one_line_per_problem(processes_dir, tmp_path):
    bad = tmp_path / "bad.bpmn"
    bad.write_text(GOOD.replace('value="register"/>', 'value="nosuch"/>').replace('name="supervisor"', 'name="janitor"'))
    env = {**os.environ, "TIEPDAN_PROCESSES_DIR": str(processes_dir), "TIEPDAN_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    out = subprocess.run(
        [sys.executable, "-m", "tiepdan.cli", "process", "validate", str(bad), str(processes_dir / "review.bpmn")],
        env=env, capture_output=True, text=True,
    )
    # The test diagram's handler 'classify' is not registered in the real application.
    lines = out.stdout.strip().splitlines()
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert any(l.startswith("bad.bpmn:register: form 'nosuch'") for l in lines)
    assert any(l.startswith("bad.bpmn:lane_supervisor: lane 'janitor'") for l in lines)
    assert all(l.split(":", 2)[0] in ("bad.bpmn", "review.bpmn") for l in lines)
