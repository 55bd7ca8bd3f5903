"""The case file's closed vocabularies: each code with its (Vietnamese, English) label.

Codes are what the database stores and what BPMN diagrams, forms and handlers name; labels are
what the UI shows (Vietnamese first). These lists change only with the software; the lists that
legal staff correct (refusal grounds, ineligibility reasons, who may see a sealed identity, the
group-representation limits, competence) are data files read by `tiepdan.cases.datafiles` and
`tiepdan.cases.competence`.
"""
from __future__ import annotations

Labels = dict[str, tuple[str, str]]

UNIT_KINDS: Labels = {
    "province_committee": ("Ủy ban nhân dân cấp tỉnh", "Provincial People's Committee"),
    "provincial_inspectorate": ("Thanh tra tỉnh", "Provincial inspectorate"),
    "citizen_reception_office": ("Ban Tiếp công dân", "Citizen reception office"),
    "department": ("Sở, ban, ngành", "Provincial department"),
    "commune_committee": ("Ủy ban nhân dân cấp xã", "Commune People's Committee"),
    "court": ("Tòa án nhân dân", "People's Court"),
    "procuracy": ("Viện kiểm sát nhân dân", "People's Procuracy"),
    "investigation": ("Cơ quan điều tra", "Investigation body"),
    "party_body": ("Cơ quan của Đảng", "Party body"),
    "na_delegation": ("Đoàn đại biểu Quốc hội", "National Assembly delegation"),
    # Before 1 July 2025: kept so that old cases stay readable (valid_to 2025-06-30).
    "district_committee": ("Ủy ban nhân dân cấp huyện (trước 01/7/2025)", "District People's Committee (before 2025-07-01)"),
    "other": ("Cơ quan, đơn vị khác", "Other body"),
}

LEVELS: Labels = {
    "central": ("Trung ương", "Central"),
    "province": ("Cấp tỉnh", "Provincial"),
    "district": ("Cấp huyện (trước 01/7/2025)", "District (before 2025-07-01)"),
    "commune": ("Cấp xã", "Commune"),
}

CHANNELS: Labels = {
    "in_person": ("Trực tiếp tại nơi tiếp công dân", "In person"),
    "post": ("Qua dịch vụ bưu chính", "By post"),
    "forwarded": ("Do cơ quan, tổ chức, cá nhân chuyển đến", "Forwarded by a body"),
    "online": ("Qua cổng thông tin điện tử, thư điện tử", "Online"),
}

PETITION_TYPES: Labels = {
    "complaint": ("Khiếu nại", "Complaint"),
    "denunciation": ("Tố cáo", "Denunciation"),
    "recommendation": ("Kiến nghị, phản ánh", "Recommendation / reflection"),
    "mixed": ("Đơn có nhiều nội dung khác nhau", "Mixed content"),
}

# The abbreviations of the reception register's "Loại đơn" column (Mẫu 03/TCD).
PETITION_TYPE_SHORT: dict[str, str] = {
    "complaint": "KN",
    "denunciation": "TC",
    "recommendation": "KN-PA",
    "mixed": "Nhiều ND",
}

PETITION_STATUSES: Labels = {
    "registered": ("Đã vào sổ", "Registered"),
    "classified": ("Đã phân loại", "Classified"),
    "accepted": ("Đã thụ lý", "Accepted"),
    "guided": ("Đã hướng dẫn", "Guided to the competent body"),
    "transferred": ("Đã chuyển đơn", "Transferred"),
    "archived": ("Lưu đơn", "Archived"),
    "resolving": ("Đang giải quyết", "Being resolved"),
    "suspended": ("Tạm đình chỉ", "Suspended"),
    "resolved": ("Đã giải quyết", "Resolved"),
    "withdrawn": ("Đã rút đơn", "Withdrawn"),
    "closed": ("Đã kết thúc", "Closed"),
}

PARTY_ROLES: Labels = {
    "petitioner": ("Người khiếu nại, tố cáo, kiến nghị, phản ánh", "Petitioner"),
    "respondent": ("Người bị khiếu nại, bị tố cáo", "Person or body complained about / denounced"),
    "authorised_representative": ("Người đại diện theo ủy quyền", "Authorised representative"),
}

PARTY_KINDS: Labels = {
    "person": ("Cá nhân", "Individual"),
    "organisation": ("Cơ quan, tổ chức", "Organisation"),
}

ID_TYPES: Labels = {
    "cccd": ("Thẻ căn cước / Căn cước công dân", "Citizen identity card"),
    "cmnd": ("Chứng minh nhân dân", "Former identity card"),
    "dinh_danh": ("Số định danh cá nhân", "Personal identification number"),
    "passport": ("Hộ chiếu", "Passport"),
}

IDENTITY_CHECKS: Labels = {
    "verified": ("Đã xác định đúng nhân thân", "Identity verified"),
    "representative_verified": ("Đã kiểm tra giấy tờ người đại diện", "Representative's papers verified"),
    "not_presented": ("Không xuất trình giấy tờ tùy thân", "No identity papers presented"),
    "mismatch": ("Giấy tờ không khớp", "Papers do not match"),
}

RECORD_CONFIRMATIONS: Labels = {
    "signed": ("Công dân đã ký", "Signed by the citizen"),
    "fingerprinted": ("Công dân đã điểm chỉ", "Fingerprinted by the citizen"),
    "refused": ("Công dân không ký, không điểm chỉ", "The citizen refused to sign"),
}

ROLES_FILE_NOTE = "role codes and labels: processes/roles.yaml (tiepdan.engine.catalogues.load_roles)"


def label(labels: Labels, code: str | None, lang: str = "vi") -> str:
    """The label of `code` in `lang` ("vi" or "en"); the code itself when unknown, "" for None."""
    if code is None:
        return ""
    pair = labels.get(code)
    if pair is None:
        return code
    return pair[0] if lang == "vi" else pair[1]


def check_code(labels: Labels, code: str, what: str) -> str:
    """Return `code` if it is one of `labels`, else raise ValueError naming the allowed codes."""
    if code not in labels:
        raise ValueError(f"{what} không hợp lệ: {code!r} (cho phép: {', '.join(labels)})")
    return code

# --- resolution records (issue 5) ------------------------------------------------------------

CLOCK_EVENT_KINDS: Labels = {
    "suspension": ("Tạm đình chỉ giải quyết", "Suspension"),
    "continuation": ("Tiếp tục giải quyết", "Continuation"),
    "extension": ("Gia hạn giải quyết", "Extension"),
}

# How complex a case is, as the extension decision says (LTC Art 30; LKN Arts 28, 37).
COMPLEXITIES: Labels = {
    "complex": ("Vụ việc phức tạp", "Complex case"),
    "especially_complex": ("Vụ việc đặc biệt phức tạp", "Especially complex case"),
}

WITHDRAWAL_SCOPES: Labels = {
    "full": ("Rút toàn bộ nội dung", "Full withdrawal"),
    "partial": ("Rút một phần nội dung", "Partial withdrawal"),
}

PUBLICATION_FORMS: Labels = {
    "meeting": ("Công bố tại cuộc họp", "Announced at a meeting"),
    "posting": ("Niêm yết tại trụ sở, nơi tiếp công dân", "Posted at the office or reception place"),
    "media": ("Thông báo trên phương tiện thông tin đại chúng, cổng thông tin điện tử", "Mass media or web portal"),
}

PUBLICATION_STATUSES: Labels = {
    "planned": ("Đã lên kế hoạch", "Planned"),
    "running": ("Đang công khai", "Running"),
    "ended": ("Đã kết thúc công khai", "Ended"),
}
