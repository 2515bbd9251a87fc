from web.messages import FORM, GENERIC, refusal_of


def test_a_malformed_field_is_named_in_french_beside_the_form_field_it_came_from():
    problem = {
        "rule": "request-validation",
        "errors": [{"field": "query.within_days", "message": "…", "type": "less_than_equal"}],
    }

    refusal = refusal_of(422, problem, {"within_days": "dans"})

    assert refusal.messages == {"dans": "La valeur est trop grande."}
    assert refusal.status == 422


def test_a_rule_a_field_carries_is_shown_beside_it():
    refusal = refusal_of(404, {"rule": "subject-not-found"}, {"subject-not-found": "personne"})

    assert refusal.messages == {
        "personne": "Aucune personne de cet identifiant dans le journal que vous pouvez lire."
    }


def test_a_rule_without_wording_is_the_forms_and_still_named():
    refusal = refusal_of(409, {"rule": "rule-without-wording"})

    assert refusal.messages == {FORM: GENERIC.format(rule="rule-without-wording")}


def test_a_field_the_form_does_not_have_is_the_forms():
    problem = {"rule": "request-validation", "errors": [{"field": "body.x", "type": "missing"}]}

    assert refusal_of(422, problem).messages == {FORM: "Ce champ est obligatoire."}
