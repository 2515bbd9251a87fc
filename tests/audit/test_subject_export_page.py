"""The subject access export's French page (issue 17 #6), from a bundle made by hand: no infrastructure."""

from devinfra.subject_export import render_html
from kernel.sealing import ERASED_TEXT


def a_bundle(**overrides) -> dict:
    bundle = {
        "manifest": {
            "format": "passerelle.subject-export/1",
            "subject_id": "person-1",
            "generated_at": "2026-12-03T08:00:00+00:00",
            "operator": "Camille Roche",
            "erased_at": None,
            "databases": {"assessment": "127.0.0.1:5432/assessment"},
            "keyring": "127.0.0.1:5432/keyring",
            "counts": {"events": {"assessment": 1}, "rows": {"assessment": {"cases": 1}}, "consultations": 1},
        },
        "identity": {
            "last_name": "Durand",
            "first_names": "Zoé",
            "birth_date": "1990-05-01",
            "ecrou_number": "1",
        },
        "events": {
            "assessment": [
                {
                    "occurred_at": "2026-11-27T08:00:00+00:00",
                    "event_type": "assessment.case.opened",
                    "stream": "case",
                    "stream_id": "case-1",
                    "actor_role": "dpip",
                    "payload": {"identity": {"last_name": "<b>Durand</b>"}, "offence_categories": ["theft"]},
                }
            ]
        },
        "views": {"assessment": {"cases": [{"case_id": "case-1", "last_name": "Durand", "closed_on": None}]}},
        "consultations": [
            {
                "recorded_at": "2026-12-01T13:30:00+00:00",
                "service": "projections",
                "method": "GET",
                "route": "/persons/{subject_id}/file",
                "status": 200,
                "user_id": "cpip-1",
                "role": "cpip",
                "purpose": "Préparation de la CPU",
            }
        ],
    }
    return {**bundle, **overrides}


def test_the_page_is_in_french_with_the_identity_events_views_and_consultations():
    page = render_html(a_bundle())

    assert (
        '<html lang="fr">' in page and "Export établi le 3 décembre 2026 à 9 h 00 par Camille Roche" in page
    )
    assert "<dt>Nom</dt><dd>Durand</dd>" in page
    assert "27 novembre 2026 à 9 h 00" in page and "DPIP" in page  # when, and the author's role in French
    assert "&lt;b&gt;Durand&lt;/b&gt;" in page  # values are escaped
    assert "1er décembre 2026 à 14 h 30" in page and "Préparation de la CPU" in page and "CPIP" in page
    assert "effacées le" not in page


def test_an_erased_persons_page_says_so_and_shows_the_erased_values():
    erased = dict.fromkeys(("last_name", "first_names", "birth_date", "ecrou_number"), ERASED_TEXT)
    manifest = {**a_bundle()["manifest"], "erased_at": "2026-12-02T10:00:00+00:00"}

    page = render_html(a_bundle(identity=erased, manifest=manifest))

    assert "ont été effacées le 2 décembre 2026 à 11 h 00" in page
    assert f'<dt>Nom</dt><dd><span class="erased">{ERASED_TEXT}</span></dd>' in page
    assert "Durand</dd>" not in page.split('id="evenements"')[0]
