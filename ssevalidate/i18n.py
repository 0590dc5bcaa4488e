"""The words the reports use around the shapes' own messages, in every supported language.

>>> from ssevalidate.i18n import text
>>> text("fr", "did_you_mean", iri="x", label="Coopérative", code="OS115")
"Vouliez-vous dire x « Coopérative » (OS115) ?"
"""

from __future__ import annotations

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "did_you_mean": "Did you mean {iri} '{label}' ({code})?",
        "wrong_scheme": "{label} ({code}) belongs to the '{scheme}' list; this field takes a concept "
        "from: {expected}.",
        "date_form": "Write dates as YYYY-MM-DD (for example 2019-03-14), or a year alone as 2019.",
        "date_fix": 'Did you mean "{fixed}"?',
        "number_form": "Write a number with a dot as decimal separator, for example 48.8566.",
        "integer_form": "Write a whole number without spaces or units, for example 12.",
        "swapped": "Latitude and longitude may be swapped: latitude is north–south (−90 to 90), "
        "longitude east–west (−180 to 180).",
        "email_at": "An e-mail address looks like name@example.org.",
        "url_scheme": "Write the full web address with its scheme, as an IRI: <{fixed}>.",
        "telephone_form": "Write the number in international form, starting with + and the country "
        "code, for example +44 20 7946 0000.",
        "network_needed": "The target must be described in the data as a network (a sse:Network).",
        "dev_host": "Use the production address: {fixed}",
        "conforms": "conforms",
        "not_conforming": "does not conform",
        "records": "records",
        "Violation": "Violation",
        "Warning": "Warning",
        "Info": "Info",
        "violations": "violations",
        "warnings": "warnings",
        "infos": "infos",
        "hint": "Hint:",
        "line": "line",
        "row": "row",
        "no_results": "No problems found.",
        "profile": "profile",
        "unnamed": "(no name)",
    },
    "fr": {
        "did_you_mean": "Vouliez-vous dire {iri} « {label} » ({code}) ?",
        "wrong_scheme": "{label} ({code}) appartient à la liste « {scheme} » ; ce champ attend un "
        "concept de : {expected}.",
        "date_form": "Écrivez les dates sous la forme AAAA-MM-JJ (par exemple 2019-03-14), ou une "
        "année seule : 2019.",
        "date_fix": "Vouliez-vous dire « {fixed} » ?",
        "number_form": "Écrivez un nombre avec un point décimal, par exemple 48.8566.",
        "integer_form": "Écrivez un nombre entier sans espace ni unité, par exemple 12.",
        "swapped": "La latitude et la longitude sont peut-être inversées : la latitude va du sud au nord "
        "(−90 à 90), la longitude d'ouest en est (−180 à 180).",
        "email_at": "Une adresse électronique ressemble à nom@exemple.org.",
        "url_scheme": "Écrivez l'adresse web complète avec son schéma, comme IRI : <{fixed}>.",
        "telephone_form": "Écrivez le numéro au format international, avec + et l'indicatif du "
        "pays, par exemple +33 1 23 45 67 89.",
        "network_needed": "La cible doit être décrite dans les données comme un réseau "
        "(sse:Network).",
        "dev_host": "Utilisez l'adresse de production : {fixed}",
        "conforms": "conforme",
        "not_conforming": "non conforme",
        "records": "fiches",
        "Violation": "Erreur",
        "Warning": "Avertissement",
        "Info": "Information",
        "violations": "erreurs",
        "warnings": "avertissements",
        "infos": "informations",
        "hint": "Conseil :",
        "line": "ligne",
        "row": "rangée",
        "no_results": "Aucun problème trouvé.",
        "profile": "profil",
        "unnamed": "(sans nom)",
    },
    "es": {
        "did_you_mean": "¿Quiso decir {iri} «{label}» ({code})?",
        "wrong_scheme": "{label} ({code}) pertenece a la lista «{scheme}»; este campo admite un "
        "concepto de: {expected}.",
        "date_form": "Escriba las fechas como AAAA-MM-DD (por ejemplo 2019-03-14), o solo el año: "
        "2019.",
        "date_fix": "¿Quiso decir «{fixed}»?",
        "number_form": "Escriba un número con punto decimal, por ejemplo 40.4168.",
        "integer_form": "Escriba un número entero sin espacios ni unidades, por ejemplo 12.",
        "swapped": "La latitud y la longitud quizá estén intercambiadas: la latitud va de sur a norte "
        "(−90 a 90), la longitud de oeste a este (−180 a 180).",
        "email_at": "Una dirección de correo electrónico tiene la forma nombre@ejemplo.org.",
        "url_scheme": "Escriba la dirección web completa con su esquema, como IRI: <{fixed}>.",
        "telephone_form": "Escriba el número en formato internacional, con + y el prefijo del país, "
        "por ejemplo +34 912 345 678.",
        "network_needed": "El destino debe estar descrito en los datos como una red (sse:Network).",
        "dev_host": "Use la dirección de producción: {fixed}",
        "conforms": "conforme",
        "not_conforming": "no conforme",
        "records": "registros",
        "Violation": "Error",
        "Warning": "Advertencia",
        "Info": "Información",
        "violations": "errores",
        "warnings": "advertencias",
        "infos": "informaciones",
        "hint": "Sugerencia:",
        "line": "línea",
        "row": "fila",
        "no_results": "No se encontró ningún problema.",
        "profile": "perfil",
        "unnamed": "(sin nombre)",
    },
    "pt": {
        "did_you_mean": "Queria dizer {iri} «{label}» ({code})?",
        "wrong_scheme": "{label} ({code}) pertence à lista «{scheme}»; este campo aceita um "
        "conceito de: {expected}.",
        "date_form": "Escreva as datas como AAAA-MM-DD (por exemplo 2019-03-14), ou apenas o ano: "
        "2019.",
        "date_fix": "Queria dizer «{fixed}»?",
        "number_form": "Escreva um número com ponto decimal, por exemplo -23.5505.",
        "integer_form": "Escreva um número inteiro sem espaços nem unidades, por exemplo 12.",
        "swapped": "A latitude e a longitude talvez estejam trocadas: a latitude vai de sul a norte "
        "(−90 a 90), a longitude de oeste a leste (−180 a 180).",
        "email_at": "Um endereço de e-mail tem a forma nome@exemplo.org.",
        "url_scheme": "Escreva o endereço web completo com o seu esquema, como IRI: <{fixed}>.",
        "telephone_form": "Escreva o número em formato internacional, com + e o indicativo do país, "
        "por exemplo +351 21 123 4567.",
        "network_needed": "O destino deve estar descrito nos dados como uma rede (sse:Network).",
        "dev_host": "Use o endereço de produção: {fixed}",
        "conforms": "conforme",
        "not_conforming": "não conforme",
        "records": "registos",
        "Violation": "Erro",
        "Warning": "Aviso",
        "Info": "Informação",
        "violations": "erros",
        "warnings": "avisos",
        "infos": "informações",
        "hint": "Sugestão:",
        "line": "linha",
        "row": "linha da planilha",
        "no_results": "Nenhum problema encontrado.",
        "profile": "perfil",
        "unnamed": "(sem nome)",
    },
}


def keys(lang: str) -> set[str]:
    """The text keys translated for ``lang`` (every language must have them all)."""
    return set(_TEXTS[lang])


def supported(lang: str) -> str:
    """``lang`` if we have its texts, else English."""
    return lang if lang in _TEXTS else "en"


def text(lang: str, key: str, **values: object) -> str:
    """The text ``key`` in ``lang`` (English fallback), with ``values`` filled in."""
    template = _TEXTS[supported(lang)].get(key) or _TEXTS["en"][key]
    return template.format(**values)
