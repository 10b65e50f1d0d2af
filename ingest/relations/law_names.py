"""The laws German administrative texts cite, by abbreviation and by title.

``§ 34 BauGB``, ``§ 35 Baugesetzbuch``, ``§ 20 Abs. 1 des Kreislaufwirtschaftsgesetzes
(KrWG)``, ``Art. 33 Abs. 2 des Grundgesetzes``, ``§ 8a SGB VIII``, ``§§ 22, 22a des Achten
Buchs Sozialgesetzbuch``: a law is named by its abbreviation or by its short title, declined
("des Baugesetzbuches"). The catalogue below holds the federal laws a municipality
applies daily (the 65 laws of the federal law portal in the shared corpus;
their abbreviation is the one :mod:`ingest.pipeline.parsing.lawxml` gives the document), more
federal laws that council papers cite often, and common state laws (Hesse,
Baden-Württemberg and a few of other states).

A bare ``Gemeindeordnung`` names no law: every state has one. It is found only by its
abbreviation (``GemO``, ``HGO``) or with the state's adjective (``Hessische
Gemeindeordnung``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Final


@dataclass(frozen=True, slots=True)
class Law:
    """One law.

    :param abbreviation: how it is cited and what its document's ``reference`` is
        (``BauGB``, ``SGB VIII``, ``HGO``).
    :param titles: its short titles in the nominative (``Baugesetzbuch``).
    :param aliases: other abbreviations of the same law (``BBauG``, ``SGB 8``).
    :param federal: a federal law (``False``: a state law).
    """

    abbreviation: str
    titles: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    federal: bool = True


def _law(abbreviation: str, *titles: str, aliases: tuple[str, ...] = ()) -> Law:
    return Law(abbreviation, titles, aliases)


def _state(abbreviation: str, *titles: str, aliases: tuple[str, ...] = ()) -> Law:
    return Law(abbreviation, titles, aliases, federal=False)


_ROMAN: Final = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIV")
_BOOKS: Final = (
    "Erstes", "Zweites", "Drittes", "Viertes", "Fünftes", "Sechstes", "Siebtes", "Achtes",
    "Neuntes", "Zehntes", "Elftes", "Zwölftes", "Vierzehntes",
)  # fmt: skip


def _sgb(book: int) -> Law:
    roman = _ROMAN[book - 1] if book <= 12 else "XIV"
    ordinal = _BOOKS[book - 1] if book <= 12 else "Vierzehntes"
    return Law(
        f"SGB {roman}",
        (f"{ordinal} Buch Sozialgesetzbuch", f"Sozialgesetzbuch {ordinal} Buch"),
        (f"SGB {book}",),
    )


PORTAL_LAWS: Final = (
    _law("AGG", "Allgemeines Gleichbehandlungsgesetz"),
    _law("AO", "Abgabenordnung"),
    _law("ArbZG", "Arbeitszeitgesetz"),
    _law("BauGB", "Baugesetzbuch", aliases=("BBauG",)),
    _law("BauNVO", "Baunutzungsverordnung"),
    _law("BBesG", "Bundesbesoldungsgesetz"),
    _law("BBG", "Bundesbeamtengesetz"),
    _law("BDSG", "Bundesdatenschutzgesetz"),
    _law("BEEG", "Bundeselterngeld- und Elternzeitgesetz"),
    _law("BeamtStG", "Beamtenstatusgesetz"),
    _law("BetrVG", "Betriebsverfassungsgesetz"),
    _law("BeurkG", "Beurkundungsgesetz"),
    _law("BewG", "Bewertungsgesetz"),
    _law("BGB", "Bürgerliches Gesetzbuch"),
    _law("BImSchG", "Bundes-Immissionsschutzgesetz", "Bundesimmissionsschutzgesetz"),
    _law("BJagdG", "Bundesjagdgesetz"),
    _law("BKleingG", "Bundeskleingartengesetz"),
    _law("BMG", "Bundesmeldegesetz"),
    _law("BNatSchG", "Bundesnaturschutzgesetz"),
    _law("BNotO", "Bundesnotarordnung"),
    _law("BPersVG", "Bundespersonalvertretungsgesetz"),
    _law("BRRG", "Beamtenrechtsrahmengesetz"),
    _law("EGovG", "E-Government-Gesetz"),
    _law("EnWG", "Energiewirtschaftsgesetz"),
    _law("FStrG", "Bundesfernstraßengesetz"),
    _law("GastG", "Gaststättengesetz"),
    _law("GEG", "Gebäudeenergiegesetz"),
    _law("GewO", "Gewerbeordnung"),
    _law("GewStG", "Gewerbesteuergesetz"),
    _law("GG", "Grundgesetz"),
    _law("GrStG", "Grundsteuergesetz"),
    _law("GWB", "Gesetz gegen Wettbewerbsbeschränkungen"),
    _law("HGrG", "Haushaltsgrundsätzegesetz"),
    _law("IfSG", "Infektionsschutzgesetz"),
    _law("IFG", "Informationsfreiheitsgesetz"),
    _law("JArbSchG", "Jugendarbeitsschutzgesetz"),
    _law("KrWG", "Kreislaufwirtschaftsgesetz"),
    _law("KSchG", "Kündigungsschutzgesetz"),
    _law("LadSchlG", "Ladenschlussgesetz", "Gesetz über den Ladenschluss"),
    _law("MuSchG", "Mutterschutzgesetz"),
    _law("OZG", "Onlinezugangsgesetz"),
    _law("PAuswG", "Personalausweisgesetz"),
    _law("PBefG", "Personenbeförderungsgesetz"),
    _law("PStG", "Personenstandsgesetz"),
    _law("StVG", "Straßenverkehrsgesetz"),
    _law("StVO", "Straßenverkehrs-Ordnung", "Straßenverkehrsordnung"),
    _law("TierSchG", "Tierschutzgesetz"),
    _law("TzBfG", "Teilzeit- und Befristungsgesetz"),
    _law("UStG", "Umsatzsteuergesetz"),
    _law("UVPG", "Gesetz über die Umweltverträglichkeitsprüfung"),
    _law("VgV", "Vergabeverordnung"),
    _law("VwGO", "Verwaltungsgerichtsordnung"),
    _law("VwVfG", "Verwaltungsverfahrensgesetz"),
    _law("VZOG", "Vermögenszuordnungsgesetz"),
    _law("WEG", "Wohnungseigentumsgesetz", aliases=("WoEigG",)),
    _law("WHG", "Wasserhaushaltsgesetz"),
    _law("WoBindG", "Wohnungsbindungsgesetz"),
    _law("WoGG", "Wohngeldgesetz"),
    _law("ZVG", "Zwangsversteigerungsgesetz"),
    *(_sgb(book) for book in (1, 2, 8, 9, 10, 12)),
)
"""The 65 federal laws of the shared corpus (from the federal law portal), under the
abbreviation :mod:`ingest.pipeline.parsing.lawxml` gives their documents."""

FEDERAL_LAWS: Final = (
    *PORTAL_LAWS,
    # further federal laws and EU regulations council texts cite
    *(_sgb(book) for book in (3, 4, 5, 6, 7, 11, 14)),
    _law("AbwAG", "Abwasserabgabengesetz"),
    _law("AsylbLG", "Asylbewerberleistungsgesetz"),
    _law("AsylG", "Asylgesetz"),
    _law("AufenthG", "Aufenthaltsgesetz"),
    _law("BauGB-MaßnahmenG"),
    _law("BBodSchG", "Bundes-Bodenschutzgesetz"),
    _law("BeamtVG", "Beamtenversorgungsgesetz"),
    _law("BGG", "Behindertengleichstellungsgesetz"),
    _law("BKGG", "Bundeskindergeldgesetz"),
    _law("BtMG", "Betäubungsmittelgesetz"),
    _law("BUrlG", "Bundesurlaubsgesetz"),
    _law("BVerfGG", "Bundesverfassungsgerichtsgesetz"),
    _law("BWahlG", "Bundeswahlgesetz"),
    _law("DSGVO", "Datenschutz-Grundverordnung", aliases=("DS-GVO",)),
    _law("EEG", "Erneuerbare-Energien-Gesetz"),
    _law("ElektroG", "Elektro- und Elektronikgerätegesetz"),
    _law("EStG", "Einkommensteuergesetz"),
    _law("FlurbG", "Flurbereinigungsgesetz"),
    _law("GBO", "Grundbuchordnung"),
    _law("GmbHG"),
    _law("GVG", "Gerichtsverfassungsgesetz"),
    _law("HGB", "Handelsgesetzbuch"),
    _law("InsO", "Insolvenzordnung"),
    _law("JuSchG", "Jugendschutzgesetz"),
    _law("KStG", "Körperschaftsteuergesetz"),
    _law("MiLoG", "Mindestlohngesetz"),
    _law("OWiG", "Gesetz über Ordnungswidrigkeiten"),
    _law("ROG", "Raumordnungsgesetz"),
    _law("StAG", "Staatsangehörigkeitsgesetz"),
    _law("StGB", "Strafgesetzbuch"),
    _law("StPO", "Strafprozessordnung"),
    _law("TVöD"),
    _law("UVG", "Unterhaltsvorschussgesetz"),
    _law("VerpackG", "Verpackungsgesetz"),
    _law("VOB/A"),
    _law("WaffG", "Waffengesetz"),
    _law("ZPO", "Zivilprozessordnung"),
)
"""Federal laws (and EU regulations): those of the corpus, then others often cited."""

STATE_LAWS: Final = (
    # Hesse
    _state("HGO", "Hessische Gemeindeordnung"),
    _state("HKO", "Hessische Landkreisordnung"),
    _state("HBO", "Hessische Bauordnung"),
    _state(
        "KAG",
        "Hessisches Gesetz über kommunale Abgaben",
        "Kommunalabgabengesetz",
        "Hessisches Kommunalabgabengesetz",
        aliases=("HessKAG", "HKAG"),
    ),
    _state("HDSIG", "Hessisches Datenschutz- und Informationsfreiheitsgesetz"),
    _state("HDSG", "Hessisches Datenschutzgesetz"),
    _state("HSOG", "Hessisches Gesetz über die öffentliche Sicherheit und Ordnung"),
    _state("HVwVfG", "Hessisches Verwaltungsverfahrensgesetz"),
    _state("HVwVG", "Hessisches Verwaltungsvollstreckungsgesetz"),
    _state("HWG", "Hessisches Wassergesetz"),
    _state("HStrG", "Hessisches Straßengesetz"),
    _state("HKJGB", "Hessisches Kinder- und Jugendhilfegesetzbuch"),
    _state("HBKG", "Hessisches Brand- und Katastrophenschutzgesetz"),
    _state("FBG", "Friedhofs- und Bestattungsgesetz"),
    _state("HAKrWG", "Hessisches Ausführungsgesetz zum Kreislaufwirtschaftsgesetz"),
    _state("HArchivG", "Hessisches Archivgesetz"),
    _state("HGastG", "Hessisches Gaststättengesetz"),
    _state("HNRSG", "Hessisches Nichtraucherschutzgesetz"),
    _state("HRKG", "Hessisches Reisekostengesetz"),
    _state("HBG", "Hessisches Beamtengesetz"),
    _state("HPVG", "Hessisches Personalvertretungsgesetz"),
    _state("KWG", "Hessisches Kommunalwahlgesetz"),
    _state("HAbwAG", "Hessisches Ausführungsgesetz zum Abwasserabgabengesetz"),
    _state("HNachbRG", "Hessisches Nachbarrechtsgesetz"),
    _state("HSchG", "Hessisches Schulgesetz"),
    _state("HWaldG", "Hessisches Waldgesetz"),
    _state("HAGBNatSchG", "Hessisches Ausführungsgesetz zum Bundesnaturschutzgesetz"),
    _state("FAG", "Finanzausgleichsgesetz"),
    # Baden-Württemberg
    _state("GemO", "Gemeindeordnung für Baden-Württemberg", aliases=("GemO BW",)),
    _state("LKrO", "Landkreisordnung für Baden-Württemberg"),
    _state("LBO", "Landesbauordnung für Baden-Württemberg", "Landesbauordnung"),
    _state("PolG", "Polizeigesetz"),
    _state("LVwVfG", "Landesverwaltungsverfahrensgesetz"),
    _state("LVwVG", "Landesverwaltungsvollstreckungsgesetz"),
    _state("LDSG", "Landesdatenschutzgesetz"),
    _state("KiTaG", "Kindertagesbetreuungsgesetz"),
    _state("LBG", "Landesbeamtengesetz"),
    _state("LKJHG", "Landeskinder- und -jugendhilfegesetz"),
    _state("LRKG", "Landesreisekostengesetz"),
    _state("LAbfG", "Landesabfallgesetz"),
    _state("StrG", "Straßengesetz für Baden-Württemberg"),
    _state("WG", "Wassergesetz für Baden-Württemberg"),
    _state("SOG", "Gesetz über die öffentliche Sicherheit und Ordnung"),
    # other states
    _state("GO NRW", "Gemeindeordnung für das Land Nordrhein-Westfalen"),
    _state("KAG NRW", "Kommunalabgabengesetz für das Land Nordrhein-Westfalen"),
    _state("BauO NRW", "Bauordnung für das Land Nordrhein-Westfalen"),
    _state("BayBO", "Bayerische Bauordnung"),
    _state("BayVwVfG", "Bayerisches Verwaltungsverfahrensgesetz"),
    _state("NKomVG", "Niedersächsisches Kommunalverfassungsgesetz"),
    _state("NBauO", "Niedersächsische Bauordnung"),
    _state("LBauO", "Landesbauordnung Rheinland-Pfalz"),
    _state("KVG LSA", "Kommunalverfassungsgesetz des Landes Sachsen-Anhalt"),
    _state("SächsGemO", "Sächsische Gemeindeordnung"),
    _state("ThürKO", "Thüringer Kommunalordnung"),
    _state("BbgKVerf", "Kommunalverfassung des Landes Brandenburg"),
)
"""Common state laws (Hesse and Baden-Württemberg first: the corpora's states)."""

LAWS: Final = FEDERAL_LAWS + STATE_LAWS

_STATE_ADJECTIVE: Final = re.compile(
    r"(?:Hessisch|Bayerisch|Niedersächsisch|Sächsisch|Thüringer|Brandenburgisch|"
    r"Saarländisch|Hamburgisch|Bremisch|Berliner)\w*|Hess\.|Bay\.|Nds\.",
)
"""A state's adjective: ``Hessischen Verwaltungsverfahrensgesetzes`` is not the VwVfG."""


def _by_abbreviation() -> dict[str, Law]:
    table: dict[str, Law] = {}
    for law in LAWS:
        for name in (law.abbreviation, *law.aliases):
            table.setdefault(name, law)
    return table


_ABBREVIATIONS: Final = _by_abbreviation()


def canonical_abbreviation(name: str) -> str:
    """The abbreviation a law is cited and stored by.

    :param name: an abbreviation as written (``SGB 8``, ``BBauG``, ``HessKAG``, ``BauGB``).
    :returns: the catalogue's abbreviation for it (``SGB VIII``, ``BauGB``, ``KAG``), or
        ``name`` with its spaces tidied when the catalogue does not know it.
    """
    tidy = " ".join(name.split())
    law = _ABBREVIATIONS.get(tidy)
    if law is None:
        sgb = re.fullmatch(r"SGB\s?(\d{1,2}|[IVX]+)", tidy)
        if sgb:
            number = sgb.group(1)
            roman = (
                _ROMAN[int(number) - 1] if number.isdigit() and 0 < int(number) <= 12 else number
            )
            return f"SGB {roman}"
        return tidy
    return law.abbreviation


def law_for(abbreviation: str) -> Law | None:
    """:returns: the catalogue's law of an abbreviation (or alias), ``None`` if unknown."""
    return _ABBREVIATIONS.get(canonical_abbreviation(abbreviation))


def _declined(word: str) -> str:
    """A pattern for ``word`` in any case it takes in a citation."""
    if re.search(r"(?:gesetz|buch)$", word, re.IGNORECASE):
        return re.escape(word) + r"(?:es|s|e)?"  # des Baugesetzbuch(e)s, dem Grundgesetze
    if re.fullmatch(r"[A-ZÄÖÜ]\w+es", word):
        return re.escape(word[:-2]) + r"(?:es|e|en|er|em)"  # Bürgerliches, Achtes
    if re.fullmatch(r"[A-ZÄÖÜ]\w+e", word):
        return re.escape(word[:-1]) + r"(?:e|en|er)"  # Hessische(n)
    return re.escape(word)


def _title_pattern(title: str) -> str:
    words = title.split()
    parts = [_declined(word) for word in words]
    if words[0].startswith("Hessisch"):
        parts[0] = rf"(?:{parts[0]}|Hess\.)"
    return r"\s+".join(parts)


@cache
def title_patterns() -> tuple[tuple[re.Pattern[str], Law], ...]:
    """:returns: one pattern per known title (declined), longest titles first, with its law."""
    found = [(title, law) for law in LAWS for title in law.titles]
    found.sort(key=lambda item: -len(item[0]))
    return tuple(
        (re.compile(rf"(?<![\w-]){_title_pattern(title)}(?![\w-])"), law) for title, law in found
    )


@cache
def abbreviation_pattern() -> re.Pattern[str]:
    """:returns: a pattern for every known abbreviation and alias as a whole word (``SGB``
    with any book number)."""
    names = sorted(_ABBREVIATIONS, key=len, reverse=True)
    alternation = "|".join(re.escape(name).replace(r"\ ", r"\s") for name in names)
    return re.compile(rf"(?<![\w/-])(?:SGB\s?(?:[IVX]+|\d{{1,2}})|{alternation})(?![\w/-])")


def is_state_adjective(word: str) -> bool:
    """:returns: whether ``word`` names a state (``Hessischen``, ``Hess.``)."""
    return _STATE_ADJECTIVE.fullmatch(word) is not None
