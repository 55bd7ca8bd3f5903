"""Competence rules as data (processes/competence.yaml): who resolves what, and a malformed
file refused with one line naming the entry."""
from __future__ import annotations

import shutil

import pytest

from tiepdan.cases import competence
from tiepdan.cases.errors import DataFileError
from tiepdan.cases.units import get_unit
from tiepdan.config import REPO_ROOT

RULES = competence.load_rules(REPO_ROOT / "processes")


@pytest.mark.parametrize("kind, expected", [
    (dict(petition_type="complaint"), "subject"),
    (dict(petition_type="complaint", second_instance=True), "parent"),
    (dict(petition_type="denunciation"), "subject"),
    (dict(petition_type="denunciation", against_head=True), "parent"),
    (dict(petition_type="denunciation", anonymous=True), "kind:provincial_inspectorate"),
    (dict(petition_type="complaint", signs_of_crime=True), "kind:investigation"),
    (dict(petition_type="denunciation", party_rule_breach=True), "kind:party_body"),
    (dict(petition_type="recommendation", field="land"), "function:agriculture_environment"),
    (dict(petition_type="recommendation", field="other"), "subject"),
])
def test_the_shipped_rules(kind, expected):
    assert competence.resolver_for(RULES, **kind) == expected


def test_resolvers_name_real_units_of_the_subjects_province(world):
    with world.session() as s:
        commune = get_unit(s, world.commune)
        assert competence.competent_unit(s, RULES, commune, petition_type="complaint").code == world.commune
        assert competence.competent_unit(s, RULES, commune, petition_type="complaint", second_instance=True).code == world.committee
        assert competence.competent_unit(s, RULES, commune, petition_type="complaint", signs_of_crime=True).code == world.investigation
        assert competence.competent_unit(s, RULES, commune, petition_type="recommendation", field="construction").code == world.construction
        # Above a province the second instance is a ministry: not on this system.
        committee = get_unit(s, world.committee)
        assert competence.competent_unit(s, RULES, committee, petition_type="complaint", second_instance=True) is None


@pytest.mark.parametrize("change, message", [
    (("first_instance: subject", "first_instance: grandparent"), "complaint.first_instance: resolver must be"),
    (("kind:investigation", "kind:police"), "unknown unit kind 'police'"),
    (("    land: function:agriculture_environment", "    mining: function:agriculture_environment"), "by_field.mining: not a field"),
    (("  anonymous_denunciation: kind:provincial_inspectorate\n", ""), "missing 'anonymous_denunciation'"),
])
def test_a_malformed_file_is_refused_naming_the_entry(tmp_path, change, message):
    shutil.copy(REPO_ROOT / "processes" / "competence.yaml", tmp_path / "competence.yaml")
    text = (tmp_path / "competence.yaml").read_text(encoding="utf-8")
    assert change[0] in text
    (tmp_path / "competence.yaml").write_text(text.replace(change[0], change[1]), encoding="utf-8")
    with pytest.raises(DataFileError, match=message) as err:
        competence.load_rules(tmp_path)
    assert "competence.yaml" in str(err.value) and "\n" not in str(err.value)
