"""Who may read which view."""

from reporting.domain.access import Actor, head_of, may_read_city, may_read_employee, may_read_opd, may_read_team

EMP = "199001012015011001"
PP = "198001012005011001"
OTHER = "197001012000011001"
PERSON = {"_id": EMP, "opd_code": "DINKES", "pejabat_penilai_nip": PP}


def actor(nip: str, *roles: str, opd: str | None = None, heads: frozenset[str] = frozenset()) -> Actor:
    return Actor(nip, frozenset(roles), opd, heads)


def test_employee_view() -> None:
    assert may_read_employee(actor(EMP, "pegawai"), PERSON)
    assert may_read_employee(actor(PP, "pejabat_penilai"), PERSON)
    assert not may_read_employee(actor(PP, "pegawai"), PERSON)  # the link needs the role too
    assert not may_read_employee(actor(OTHER, "pejabat_penilai"), PERSON)
    assert may_read_employee(actor(OTHER, "admin_opd", opd="DINKES"), PERSON)
    assert not may_read_employee(actor(OTHER, "admin_opd", opd="DISDIK"), PERSON)
    assert may_read_employee(actor(OTHER, "pejabat_penilai", heads=frozenset({"DINKES"})), PERSON)
    assert may_read_employee(actor(OTHER, "admin_bkpsdm"), PERSON)
    assert not may_read_employee(actor(OTHER, "pimpinan"), PERSON)
    assert may_read_employee(actor("PPK", "ppk"), {**PERSON, "pejabat_penilai_nip": "PPK"})


def test_team_view() -> None:
    appraiser = {"_id": PP, "opd_code": "DINKES"}
    assert may_read_team(actor(PP, "pejabat_penilai"), PP, appraiser)
    assert not may_read_team(actor(EMP, "pegawai"), PP, appraiser)
    assert may_read_team(actor(OTHER, "admin_opd", opd="DINKES"), PP, appraiser)
    assert not may_read_team(actor(OTHER, "admin_opd", opd="DISDIK"), PP, appraiser)
    assert not may_read_team(actor(OTHER, "admin_opd", opd="DINKES"), PP, None)
    assert may_read_team(actor("PPK", "ppk"), "PPK", None)
    assert not may_read_team(actor(OTHER, "ppk"), "PPK", None)
    assert may_read_team(actor(OTHER, "admin_bkpsdm"), "PPK", None)


def test_opd_and_city_views() -> None:
    assert may_read_opd(actor(OTHER, "admin_opd", opd="DINKES"), "DINKES")
    assert not may_read_opd(actor(OTHER, "admin_opd", opd="DINKES"), "DISDIK")
    assert not may_read_opd(actor(OTHER, "pegawai", opd="DINKES"), "DINKES")  # the token's OPD alone is no role
    assert may_read_opd(actor(OTHER, "pimpinan"), "DISDIK")
    assert may_read_opd(actor(OTHER, "pejabat_penilai", heads=frozenset({"DINKES"})), "DINKES")
    assert may_read_city(actor(OTHER, "pimpinan"))
    assert may_read_city(actor("PPK", "ppk"))
    assert may_read_city(actor(OTHER, "admin_bkpsdm"))
    assert not may_read_city(actor(OTHER, "admin_opd", opd="DINKES"))


def test_head_of_an_opd() -> None:
    head = {"_id": OTHER, "opd_code": "DINKES", "position_type": "JPT", "pejabat_penilai_nip": "PPK", "active": True}
    assert head_of(head, None) == "DINKES"
    sekda = {"_id": PP, "opd_code": "SETDA"}
    assert head_of({**head, "pejabat_penilai_nip": PP}, sekda) == "DINKES"
    assert head_of({**head, "pejabat_penilai_nip": PP}, {"_id": PP, "opd_code": "DINKES"}) is None  # appraised inside
    assert head_of({**head, "position_type": "ADMINISTRATOR"}, None) is None
    assert head_of({**head, "active": False}, None) is None
    assert head_of(None, None) is None
    assert head_of({**head, "pejabat_penilai_nip": PP}, None) is None  # the appraiser not known yet
