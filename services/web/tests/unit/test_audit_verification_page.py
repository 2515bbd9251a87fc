"""The auditor's verification report over a fake projections: what it asks, the service's verdicts shown with
their words (problems first, never colour alone), and what only `passerelle audit verify` checks."""

import httpx


def checkpoint(sequence: int, *, signature: str | None = None, heads: str = "conforme", **extra) -> dict:
    return {
        "partition": 0,
        "offset": sequence - 1,
        "sequence": sequence,
        "signed_at": "2026-11-27T08:30:00.250000Z",
        "transaction_id": str(900 + sequence),
        "position": 10 * sequence,
        "streams": 3,
        "events": 10 * sequence,
        "key_id": "3f0c9a51d2e47b86",
        "signature_valid": signature is None,
        "signature_problem": signature,
        "heads": heads,
        "explanation": extra.pop("explanation", "La vue redonne la racine signée."),
        "rebuilt_streams": 3,
        "rebuilt_events": 10 * sequence,
        "broken_streams": [],
        **extra,
    }


REPORT = {
    "services": [
        {
            "service": "assessment",
            "trusted_keys": 1,
            "heads_checked": True,
            "why_not": None,
            "checkpoints": [
                *(checkpoint(n) for n in range(1, 9)),
                checkpoint(
                    9,
                    heads="différent",
                    explanation="La vue ne redonne pas la racine signée. Chaîne rompue dans la vue : case-1.",
                ),
                checkpoint(
                    10, signature="signature invalide pour la clé 3f0c9a51d2e47b86", heads="non vérifiées"
                ),
            ],
        },
        {
            "service": "programmes",
            "trusted_keys": 0,
            "heads_checked": False,
            "why_not": "Seules les signatures sont vérifiées : programmes.restricted…",
            "checkpoints": [
                checkpoint(1, signature="clé '3f0c9a51d2e47b86' inconnue", heads="non vérifiées")
            ],
        },
        {"service": "ipro", "trusted_keys": 1, "heads_checked": True, "why_not": None, "checkpoints": []},
    ]
}


def test_the_report_lists_problems_first_then_the_latest_conforming_checkpoints(logged_in, services):
    services.answer = lambda request: httpx.Response(200, json=REPORT)

    page = logged_in("auditeur-1").get("/audit/verification")

    assert page.status_code == 200
    assert [r.url.path for r in services.requests] == ["/audit/checkpoints"]
    text = page.text
    assert "10 point(s) de contrôle : 1 signature(s) non valide(s), 8 conforme(s), 1 en écart" in text
    # The problems, then the five latest conforming ones; three older conforming ones counted, not listed.
    assert (
        text.index('data-testid="point-assessment-9"')
        < text.index('data-testid="point-assessment-10"')
        < (text.index('data-testid="point-assessment-8"'))
    )
    assert 'data-testid="point-assessment-3"' not in text and "3 autre(s) conforme(s) non listé(s)" in text
    assert "Chaîne rompue dans la vue : case-1." in text and ">Différent<" in text and ">Non valide<" in text
    # A service without a trusted key for the checkpoints it sent says so; its heads are not counted; one that
    # signed nothing, too.
    assert "Aucune clé publique de confiance n'est configurée" in text
    assert "programmes.restricted" in text and "Aucun point de contrôle reçu de ce service." in text
    assert "passerelle audit verify --checkpoint-keys" in text
    assert 'href="/audit/verification" aria-current="page"' in text


def test_only_auditors_have_the_report_in_their_menu(logged_in, services):
    services.answer = lambda request: httpx.Response(200, json={"items": [], "workload": None})

    page = logged_in("dpip-1").get("/audit/consultations")

    assert 'href="/audit/verification"' not in page.text
