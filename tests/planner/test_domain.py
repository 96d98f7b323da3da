"""Problem's cached id lookups: positions the model, constructors and pricer share."""

from roster_helpers import person, tiny, tpl


def test_positions_follow_the_lists_order():
    p = tiny(templates=[tpl("E", "06:00", "14:00"), tpl("L", "14:00", "22:00")],
             staff=[person("kim"), person("lee"), person("ana")])
    assert p.template_positions() == {"E": 0, "L": 1}
    assert p.staff_positions() == {"kim": 0, "lee": 1, "ana": 2}
    assert p.template("L").id == "L" and p.person("ana").id == "ana"


def test_positions_are_rebuilt_when_a_list_is_replaced_or_grows():
    p = tiny(templates=[tpl("E", "06:00", "14:00"), tpl("L", "14:00", "22:00")])
    assert p.template_positions() == {"E": 0, "L": 1}
    p.templates = [p.templates[1], p.templates[0]]
    assert p.template_positions() == {"L": 0, "E": 1}
    assert p.staff_positions() == {"kim": 0, "lee": 1} and p.person("lee").name == "Lee"
    p.staff.append(person("ana"))
    assert p.staff_positions() == {"kim": 0, "lee": 1, "ana": 2}
    assert p.person("ana").name == "Ana"
