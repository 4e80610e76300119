"""Commitments (toezeggingen) and refusals in answer sentences: Dutch rules, extraction and ranking."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ValidationError

from rag.cite import Citation, cite
from rag.corpus import Corpus
from rag.types import QAPair
from rag.vector_cache import TextVectors

if TYPE_CHECKING:
    from rag.retrieve import Retriever

Kind = Literal["commitment", "refusal"]
Progress = Callable[[int, int], None]

UNKNOWN_WHO = "onbekend (document zonder kop)"

# The sentence rule of the labelled set (eval/labels/README.md), so indexes line up with the labels.
_SPLIT = re.compile(r"(?<=[.!?;:])\s+(?=[A-Z0-9«(“‘\"'-])")


def split_answer_sentences(paragraph: str) -> list[str]:
    """Sentences of one answer paragraph, split by the labelled set's rule."""
    return [s.strip() for s in _SPLIT.split(paragraph) if s.strip()]


# --- the government as actor ---------------------------------------------------------------------

_MINISTRIES = r"vws|ocw|bzk|ezk|ez|lnv|ienw|jenv|szw|bz|bhos|defensie"
_GOV = (
    r"(?:ik|wij|we|het\s+kabinet|dit\s+kabinet|de\s+regering|(?<!in\s)(?<!uit\s)(?<!naar\s)(?<!van\s)nederland"
    r"|het\s+rijk|de\s+rijksoverheid"
    rf"|mijn\s+ministerie|ons\s+ministerie|{_MINISTRIES}"
    r"|het\s+ministerie(?:\s+van(?:[\s,]+[\w&-]+){1,6}?)?"
    r"|de\s+(?:minister|staatssecretaris)(?:\s+(?:van|voor)(?:[\s,]+[\w&-]+){1,6}?)?)"
)
_KAMER = r"(?:uw|de)\s+kamer"
_WILL = r"(?:zal|zullen|ga|gaan|gaat)"
_INFORM_PART = (
    r"(?:ge[iï]nformeerd|geïnformeerd|op\s+de\s+hoogte\s+(?:gesteld|gehouden|gebracht)|ingelicht|bericht"
    r"|teruggekoppeld|toegezonden|toegestuurd|gestuurd|verzonden|aangeboden|gerapporteerd)"
)
_INFORM_VERB = (
    r"(?:informeren|berichten|terugkoppelen|terug\s+te\s+koppelen|op\s+de\s+hoogte\s+(?:stellen|houden|brengen)"
    r"|toesturen|toezenden|sturen|zenden|versturen|aanbieden|rapporteren|doen\s+toekomen|te\s+informeren|delen)"
)
# Someone else's words ('het laboratorium heeft aangegeven dat … zullen worden geïnformeerd').
_REPORTED = re.compile(
    r"\b(?:heeft|hebben)\s+(?:[^.;]{0,60}?\s)?(?:aangegeven|laten\s+weten|gemeld|meegedeeld|bericht)\s+dat\b"
    r"|\b(?:volgens|naar\s+zeggen\s+van)\s+(?:de|het)\b|\bdesgevraagd\b|\bberichtgeving\s+dat\b"
    r"|\b(?:concludeert|concluderen|adviseert|adviseren|beveelt|bevelen)\b",
    re.I,
)
_HABIT = re.compile(
    r"\b(?:regelmatig|periodiek|doorgaans|gebruikelijk|telkens|steeds|jaarlijks|altijd|voortdurend|per\s+geval)\b"
    r"|\bsinds\s+\d{4}\b",
    re.I,
)
_PAST = re.compile(r"\b(?:jl\.|reeds|eerder|destijds)\b", re.I)
# Watching is not acting ('zal de ontwikkelingen nauwgezet volgen'); effort is not an action ('blijf mij hard maken').
_WATCH = re.compile(
    r"\bvolgen\b|\bhard\s+(?:te\s+)?maken\b|\binzetten\s+op\b|\binspannen\b|\bvan\s+(?:mening|oordeel)\b", re.I
)
# A pointer inside the answer ('ga ik in bij de beantwoording van vraag 4') promises nothing.
_POINTER = re.compile(r"\b(?:beantwoording\s+van|antwoord\s+op)\s+(?:de\s+)?vra(?:ag|gen)\b", re.I)
# Questions that ask the government to act, so that a bare 'no' or 'not on the table' declines something.
_ASKS_ACTION = re.compile(
    r"\b(?:bent|is|zijn)\s+u\s+(?:\w+\s+){0,2}(?:bereid|van\s+plan|voornemens)\b|\b(?:wilt|gaat|zult|overweegt)\s+u\b"
    r"|\bkunt\s+u\s+(?:\w+\s+){0,2}toezeggen\b|\bis\s+het\s+mogelijk\b|\b(?:kan|zou)\s+(?:\w+\s+){0,8}(?:wordt|worden)\b"
    r"|\bu\s+(?:\w+\s+){0,5}zult\b"
    r"|\bmoet(?:en)?\s+(?:\w+\s+){0,6}worden\b",
    re.I,
)

_MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
_SEASONS = (
    r"zomer|zomerreces|kerstreces|herfstreces|voorjaarsreces|meireces|kerst|jaarwisseling"
    r"|najaar|voorjaar|winter|herfst"
)
_TERM = re.compile(
    r"\b(?:"
    rf"(?:in|voor|vóór|na|uiterlijk\s+in)\s+het\s+(?:eerste|tweede|derde|vierde|laatste)\s+kwartaal(?:\s+van\s+(?:dit\s+jaar|\d{{4}}))?"
    rf"|(?:vóór|voor|na|in|rond|tegen|uiterlijk\s+voor)\s+(?:de|het)\s+(?:{_SEASONS})(?:\s+(?:van\s+)?\d{{4}})?"
    rf"|(?:dit|komend|volgend)\s+(?:najaar|voorjaar|jaar|kwartaal|halfjaar)|deze\s+(?:zomer|winter|herfst|maand)"
    rf"|(?:begin|medio|midden|eind|einde|half)\s+(?:\d{{4}}|dit\s+jaar|volgend\s+jaar|(?:{_MONTHS})(?:\s+\d{{4}})?)"
    rf"|(?:voor|vóór)\s+het\s+einde?\s+van\s+(?:dit|het)\s+jaar|nog\s+dit\s+jaar"
    rf"|(?:uiterlijk|vóór|voor|per)\s+\d{{1,2}}\s+(?:{_MONTHS})(?:\s+\d{{4}})?"
    rf"|in\s+(?:{_MONTHS})\s+\d{{4}}"
    r"|op\s+korte\s+termijn|zo\s+spoedig\s+mogelijk|binnenkort|(?:in\s+)?de\s+komende\s+(?:weken|maanden)"
    r")\b(?!\s+jl\.)",
    re.I,
)

# Refusal rules in order of precedence; each is (name, pattern). Refusals are checked before commitments.
_REFUSALS: list[tuple[str, re.Pattern[str]]] = [
    ("niet bereid", re.compile(r"\bniet\s+bereid\b", re.I)),
    (
        "geen aanleiding",
        re.compile(
            r"\bzie[nt]?\s+(?:\w+\s+){0,3}geen\s+(?:aanleiding|reden|noodzaak|ruimte|mogelijkheid|mogelijkheden|meerwaarde"
            r"|rol)\b"
            r"(?!\s+waarom\b)"
            r"|\bgeen\s+(?:\w+\s+)?(?:aanleiding|reden|noodzaak|ruimte|mogelijkheid|mogelijkheden)\s+te\s+zien\b"
            r"|\bgeen\s+(?:aanleiding|noodzaak)\s+(?:is\s+|bestaat\s+)?(?:om|tot)\b(?![^.;]{0,30}?\b(?:aan\s+te\s+nemen|te\s+veronderstellen"
            r"|te\s+twijfelen|te\s+denken|te\s+verwachten)\b)",
            re.I,
        ),
    ),
    (
        "niet opportuun",
        re.compile(
            r"\b(?:acht|achten|vind|vindt|vinden)\s+(?:\w+\s+){0,3}(?:het\s+)?niet\s+(?:opportuun|wenselijk|nodig|noodzakelijk)\b",
            re.I,
        ),
    ),
    (
        "niet uitvoerbaar",
        re.compile(r"\b(?:blijkt|is|zijn|lijkt|blijken)\s+(?:\w+\s+){0,3}niet\s+(?:uitvoerbaar|haalbaar)\b", re.I),
    ),
    (
        "kan niet realiseren",
        re.compile(
            r"\b(?:kan|kunnen)\s+(?:\w+\s+){0,3}niet\s+(?:\w+\s+){0,4}"
            r"(?:realiseren|uitlaten|ingaan|in\s+te\s+gaan|delen|verstrekken|openbaar\s+maken|toezeggen|vooruitlopen"
            r"|reageren|speculeren|garanderen|beloven)\b",
            re.I,
        ),
    ),
    (
        "geen mededelingen",
        re.compile(
            r"(?<!\bnog\s)\bgeen\s+(?:\w+\s+)?(?:mededelingen|uitspraak|uitspraken|uitlatingen|garanties?|toezeggingen?)\s+"
            r"(?:\w+\s+){0,3}(?:doen|geven|te\s+doen)\b"
            r"|\b(?:worden|kunnen)\s+(?:\w+\s+){0,12}geen\s+(?:mededelingen|uitspraken|uitlatingen)\s+(?:\w+\s+){0,3}gedaan\b"
            r"|\b(?:garantie|garanties|toezegging|toezeggingen)\b[^.;]{0,80}?\bniet\s+te\s+geven\b"
            r"|\b(?:doe|doen|doet)\s+(?:\w+\s+){0,2}(?:geen|nooit)\s+(?:\w+\s+)?(?:mededelingen|uitspraken|uitspraak|uitlatingen)\b"
            r"|\bgeen\s+oordeel\s+(?:\w+\s+){0,2}(?:geven|vellen|uitspreken)\b"
            r"|\b(?:kan|kunnen)\s+(?:\w+\s+){0,6}(?<!nog\s)geen\s+(?:\w+\s+)?(?:informatie|gegevens|inzage)\s+(?:\w+\s+){0,4}"
            r"(?:verstrekken|geven|delen|bieden)\b",
            re.I,
        ),
    ),
    ("niet op ingezet", re.compile(r"\bniet\s+op\s+ingezet\b", re.I)),
    (
        "treed niet in",
        re.compile(
            r"\b(?:treed|treedt|treden)\s+(?:\w+\s+){0,2}niet\s+in\b"
            rf"|\b(?:{_GOV}\s+(?:ga|gaat|gaan)|(?:ga|gaat|gaan)\s+{_GOV})\s+(?:\w+\s+){{0,2}}niet\s+over\b",
            re.I,
        ),
    ),
    (
        "niet aan mij",
        re.compile(
            r"\b(?:is|ligt|komt)\s+(?:het\s+)?(?:[^.;]{0,60}?\s)?niet\s+(?:toe\s+)?aan\s+"
            r"(?:mij|het\s+kabinet|de\s+regering|ons|de\s+(?:minister|staatssecretaris))\b"
            r"|\bpast\s+(?:mij|het\s+kabinet|ons)\s+niet\b"
            r"|\bniet\s+aan\s+(?:mij|ons|het\s+kabinet|de\s+regering)\s+(?:is|ligt)\b"
            r"|\b(?:niet\s+)?(?:mijn|onze)\s+(?:taak|rol)\s+(?:noch|niet)\b|\bniet\s+(?:mijn|onze)\s+(?:taak|rol)\b",
            re.I,
        ),
    ),
    (
        "niet gerealiseerd kunnen worden",
        re.compile(
            r"\b(?:kan|kunnen)\s+(?:\w+\s+){0,5}niet\s+(?:\w+\s+){0,4}"
            r"(?:gerealiseerd|uitgevoerd|ingevoerd|verstrekt|gedeeld|openbaar\s+gemaakt|toegezegd|ingewilligd|gehonoreerd"
            r"|vooruit\s+(?:worden\s+)?gelopen)"
            r"\s+(?:te\s+)?worden\b"
            r"|\bniet\s+(?:\w+\s+){0,3}vooruit\s+(?:worden\s+)?gelopen\b",
            re.I,
        ),
    ),
    (
        "geen voornemen",
        re.compile(
            r"\bniet\s+(?:voornemens|van\s+plan)\b|\bgeen\s+(?:voornemen|plannen|intentie)\s+(?:om|tot|om\s+te)\b",
            re.I,
        ),
    ),
    (
        "taak van een ander",
        re.compile(r"\bzou\s+(?:een|de)\s+(?:taak|bevoegdheid|verantwoordelijkheid)\s+(?:van|voor)\b", re.I),
    ),
    ("gaat niet in op", re.compile(r"\b(?:ga|gaat|gaan)\s+(?:\w+\s+){0,2}niet\s+in\s+op\b", re.I)),
    ("maakt niet openbaar", re.compile(r"\b(?:maak|maakt|maken)\s+(?:\w+\s+){0,4}niet\s+openbaar\b", re.I)),
    (
        "noch wenselijk",
        re.compile(
            r"\b(?:zinvol|nodig|wenselijk|opportuun|noodzakelijk)\s+noch\s+(?:zinvol|nodig|wenselijk|opportuun|noodzakelijk)\b",
            re.I,
        ),
    ),
    ("beperk mij tot", re.compile(r"\bbeperk\s+(?:ik\s+)?(?:me|mij)\s+(?:\w+\s+){0,2}tot\b", re.I)),
    (
        "past terughoudendheid",
        re.compile(
            r"\bpast\s+(?:mij|het\s+kabinet|ons|de\s+regering)\s+(?:\w+\s+){0,2}terughoudendheid\b"
            r"|\b(?:mij|ons|het\s+kabinet)\s+past\s+(?:\w+\s+){0,2}terughoudendheid\b",
            re.I,
        ),
    ),
    (
        "alleen ingaan op",
        re.compile(
            r"\bkan\s+(?:\w+\s+){0,2}(?:alleen|slechts|enkel)\s+(?:\w+\s+){0,3}(?:ingaan|in\s+te\s+gaan)\b",
            re.I,
        ),
    ),
    (
        "wil/zal niet",
        re.compile(
            rf"\b(?:{_GOV}\s+(?:wil|willen|{_WILL})|(?:wil|willen|{_WILL})\s+{_GOV})\s+(?:\w+\s+){{0,4}}niet\s+"
            r"(?!alleen|enkel|uitsluiten|meer\s+dan|spreken|zeggen|stellen|ontkennen|onderschatten|noodzakelijk|nodig"
            r"|mogelijk|zijn|worden)\w+",
            re.I,
        ),
    ),
]

# Questions that ask for a yes or no to an action, so that a bare 'Ja.' or 'Nee.' answers it.
_ASKS_YES_NO = re.compile(
    r"\b(?:bent|is|zijn)\s+u\s+(?:\w+\s+){0,2}(?:bereid|van\s+plan|voornemens)\b|\b(?:wilt|gaat|zult)\s+u\b"
    r"|\btoezeggen\b",
    re.I,
)
_ASKS_TO_EXPLAIN = re.compile(r"\bbeantwoord|\b(?:toelichten|uitleggen|aangeven|verklaren)\b", re.I)
_BARE = re.compile(r"^(?P<word>ja|nee)\b(?!.*\bmening\b)(?=(?:\W*\w+){0,5}\W*$)", re.I)
# The answer itself is the information ('Met de beantwoording van deze vragen informeer ik uw Kamer').
_NOW = re.compile(
    r"\bmet\s+(?:de|deze)\s+beantwoording\b|\bhierbij\b|\bbijgaand\b|\bmet\s+deze\s+brief\b"
    r"|\bbij\s+(?:de\s+)?(?:onderhavige|deze)\s+(?:beantwoording|antwoorden)\b",
    re.I,
)

# Refusal wording that declines only where the question asked the government to act.
_WEAK_REFUSALS: list[tuple[str, re.Pattern[str]]] = [
    ("niet aan de orde", re.compile(r"\b(?:is|zijn)\s+(?:[^.;]{0,40}?\s)?niet\s+aan\s+de\s+orde\b", re.I)),
    ("niet mogelijk", re.compile(r"\b(?:is|zijn|lijkt|blijkt)\s+(?:\w+\s+){0,3}niet\s+mogelijk\b", re.I)),
    ("geen bemoeienis", re.compile(r"\bgeen\s+(?:bemoeienis|zeggenschap)\b", re.I)),
    (
        "niet nodig",
        re.compile(r"\b(?:is|zijn|lijkt)\s+(?:\w+\s+){0,3}niet\s+(?:nodig|noodzakelijk|wenselijk|gewenst)\b", re.I),
    ),
]

_COMMITMENTS: list[tuple[str, re.Pattern[str]]] = [
    (
        "toezegging",
        re.compile(
            rf"\b(?:zeg|zeggen)\s+(?:\w+\s+){{0,4}}toe\b|\b(?:kan|wil)\s+{_GOV}\s+(?:\w+\s+){{0,3}}toezeggen\b"
            r"|\b(?:heb|hebben|heeft)\b[^.;]{0,80}?\btoegezegd\b[^.;]{0,80}?\b(?:om|te|dat)\b"
            r"|\b(?:naar\s+aanleiding\s+van|ter\s+uitvoering\s+van|conform)\s+(?:de|mijn|onze|deze)\s+toezegging\b",
            re.I,
        ),
    ),
    (
        "kamer geïnformeerd (passief)",
        re.compile(
            rf"\b{_KAMER}\s+(?:zal|zullen|wordt|worden)\s+(?:\w+\s+){{0,6}}{_INFORM_PART}"
            rf"|\b(?:zal|wordt)\s+{_KAMER}\s+(?:\w+\s+){{0,10}}{_INFORM_PART}"
            rf"|\bu\s+(?:wordt|zal\s+worden)\s+(?:\w+\s+){{0,6}}{_INFORM_PART}"
            rf"|\bontvangt\s+(?:{_KAMER}|u)\b|\b{_KAMER}\s+ontvangt\b"
            rf"|\b(?:deel|delen)\s+(?:ik|wij|we)\b[^.;]{{0,60}}?\bmet\s+{_KAMER}\b"
            rf"|\b(?:informeer|informeren)\s+(?:ik|wij|we)\s+u\b|\b(?:ik|wij|we)\s+(?:informeer|informeren)\s+u\b",
            re.I,
        ),
    ),
    (
        "zal/ga + regering",
        re.compile(
            rf"(?:^|[\s,])(?:{_GOV}\s+{_WILL}|{_WILL}\s+{_GOV})\b(?!\s+(?:\w+\s+){{0,3}}(?:(?:ervan|daarvan)\s+uit|uit\s+van)\b)"
            rf"|\b(?:dat|zodat|waarin|waarbij|wanneer|zodra)\s+{_GOV}\s+(?:[^.;,]{{0,60}}?\s)?(?:zal|zullen)\b"
            rf"|\b{_GOV}\s+\w+[^.;]{{0,120}}?\ben\s+(?:zal|zullen|gaat|gaan|ga)\s+\w+",
            re.I,
        ),
    ),
    (
        "zal de Kamer informeren",
        re.compile(rf"\b(?:zal|zullen)\b[^.;]{{0,60}}?\b{_KAMER}\b[^.;]{{0,40}}?\b{_INFORM_VERB}\b", re.I),
    ),
    (
        "blijft in gesprek",
        re.compile(
            r"\b(?:blijf|blijft|blijven|doorlopend|permanent)\s+(?:\w+\s+){0,8}"
            r"(?:in\s+(?:gesprek|overleg|contact)|op\s+de\s+hoogte\s+(?:stellen|houden)|informeren|monitoren|aandringen)\b",
            re.I,
        ),
    ),
    (
        "blijft (eigen actie)",
        re.compile(
            rf"(?:\b(?:{_GOV}\s+(?:blijf|blijft|blijven)|(?:blijf|blijft|blijven)\s+{_GOV}"
            rf"|(?:{_GOV}\s+(?:zal|zullen)|(?:zal|zullen)\s+{_GOV})\s+(?:\w+\s+){{0,6}}blijven)\b"
            rf"|{_GOV}\s+\w+[^.;]{{0,120}}?\ben\s+(?:blijf|blijft|blijven)\b)"
            r"(?!\s+(?:een|van\s+kracht|van\s+mening|zich|bestaan|gelden|mogelijk|nodig|belangrijk|onveranderd"
            r"|ongewijzigd)\b)",
            re.I,
        ),
    ),
    ("in gesprek gaan", re.compile(r"\bin\s+gesprek\s+(?:gaan|te\s+gaan)\b", re.I)),
    (
        "houd op de hoogte",
        re.compile(
            rf"\b(?:houd|houdt|houden)\s+(?:\w+\s+){{0,3}}{_KAMER}\s+(?:\w+\s+){{0,4}}op\s+de\s+hoogte\b",
            re.I,
        ),
    ),
    (
        "treed in overleg",
        re.compile(
            r"\b(?:treed|treedt|treden)\s+(?:\w+\s+){0,4}in\s+(?:overleg|contact|gesprek)\b"
            r"|\b(?:neem|neemt|nemen)\s+(?:\w+\s+){0,4}contact\s+op\b",
            re.I,
        ),
    ),
    (
        "voornemen",
        re.compile(
            rf"\b(?:{_GOV}\s+(?:ben|is|zijn)|(?:ben|is|zijn)\s+{_GOV})\s+(?:\w+\s+){{0,2}}"
            r"(?:voornemens|van\s+plan|bereid)\b"
            rf"|\b{_GOV}\s+(?:\w+\s+){{0,2}}(?:voornemens|van\s+plan|bereid)\s+(?:is|ben|zijn)\b"
            r"|\b(?:mijn|ons|het)\s+voornemen\s+is\b|\b(?:heb|hebben|heeft)\s+(?:\w+\s+){0,2}(?:het\s+voornemen|de\s+intentie)\b"
            r"|\bhet\s+is\s+(?:\w+\s+)?(?:de|mijn|onze|ons|het)\s+(?:intentie|voornemen|streven)\s+om\b"
            r"|\b(?:mijn|onze|de)\s+intentie\s+is\s+om\b",
            re.I,
        ),
    ),
    (
        "bezig met",
        re.compile(
            rf"\b(?:{_GOV}\s+(?:ben|is|zijn)|(?:ben|is|zijn)\s+{_GOV})\s+(?:\w+\s+){{0,3}}bezig\b"
            rf"|\b(?:{_GOV}\s+(?:ben|is|zijn|ga|gaat|gaan)|(?:ben|is|zijn|ga|gaat|gaan)\s+{_GOV})\s+(?:\w+\s+){{0,6}}aan\s+de\s+slag\b"
            rf"|\b(?:{_GOV}\s+(?:ben|is|zijn)|(?:ben|is|zijn)\s+{_GOV})\s+(?:\w+\s+){{0,5}}in\s+gesprek\s+over\b"
            rf"|\b(?:betrek|betrekken)\s+(?:ik|wij|we)\b|\b(?:ik|wij|we)\s+(?:betrek|betrekken)\b"
            r"|\bvolgende\s+stap\b",
            re.I,
        ),
    ),
    (
        "informeer de Kamer",
        re.compile(
            rf"\b(?:{_GOV}\s+(?:informeer|informeren|stuur|sturen|zend|bericht|kom|komen)"
            rf"|(?:informeer|informeren|stuur|sturen|zend|kom|komen)\s+{_GOV})\b"
            rf"(?:\s+\w+){{0,6}}\s+(?:{_KAMER}|terug)\b",
            re.I,
        ),
    ),
    (
        "verwacht te sturen",
        re.compile(rf"\bverwacht(?:en)?\s+(?:\w+\s+){{0,8}}te\s+(?:kunnen\s+)?{_INFORM_VERB}\b", re.I),
    ),
    (
        "neemt mee in eigen werk",
        re.compile(
            rf"\b(?:neem|nemen)\s+(?:\w+\s+){{0,6}}mee\s+(?:in|bij)\b|\b(?:{_GOV})\s+(?:neem|nemen)\s+(?:\w+\s+){{0,8}}mee\b"
            r"|\b(?:wordt|worden|zal|zullen)\s+(?:\w+\s+){0,4}meegenomen\s+(?:in|bij)\s+(?:de|het|een|deze|dit|mijn|onze)\s+"
            r"(?:\w+\s+)?\w*(?:herziening|uitwerking|evaluatie|inrichting|opstelling|brief|wetsvoorstel|wetgeving|beleid"
            r"|reactie|visie|strategie|agenda|plan|aanpak|verkenning|onderzoek|afweging|besluitvorming)\b",
            re.I,
        ),
    ),
    (
        "neemt maatregelen",
        re.compile(
            rf"\b(?:{_GOV}\s+(?:neem|neemt|nemen|onderneem|onderneemt|ondernemen)"
            rf"|(?:neem|neemt|nemen|onderneem|onderneemt|ondernemen)\s+{_GOV})\b[^.;]{{0,80}}?"
            r"\b(?:maatregelen|stappen)\b",
            re.I,
        ),
    ),
    (
        "zet zich in voor (concreet)",
        re.compile(
            r"\b(?:zet|zetten)\b[^.;]{0,80}?\b(?:(?:zich|mij|me|ons)\s+in\s+voor|in\s+op)\s+(?:een|de|het)\s+"
            r"(?:verkenning|onderzoek|herziening|evaluatie|wetsvoorstel|pilot|aanpassing|uitwerking|plan|visie"
            r"|strategie)\b",
            re.I,
        ),
    ),
    (
        "laat onderzoeken",
        re.compile(
            rf"\b(?:{_GOV}\s+(?:laat|laten)|(?:laat|laten)\s+{_GOV})\s+(?:\w+\s+){{0,6}}"
            r"(?:onderzoeken|uitzoeken|nagaan|uitwerken|in\s+kaart\s+brengen|bezien|evalueren)\b"
            r"|\b(?:laat|laten)\s+(?:\w+\s+){0,6}(?:onderzoek|studie|evaluatie|analyse|verkenning)\s+(?:\w+\s+){0,6}"
            r"(?:uitvoeren|verrichten|doen|instellen)\b"
            r"|\b(?:onderzoek|studie|evaluatie|analyse|verkenning)\s+(?:\w+\s+){0,4}laten\s+(?:uitvoeren|verrichten|doen)\b",
            re.I,
        ),
    ),
    (
        "er wordt onderzocht of",
        re.compile(
            r"(?<!\bte\s)(?<!\bkan\s)(?<!\bkunnen\s)\b(?:wordt|worden)\s+(?:\w+\s+){0,4}"
            r"(?:onderzocht|verkend|bekeken|bezien|nagegaan|uitgezocht|beslist"
            r"|in\s+(?:kaart|beeld)\s+gebracht)"
            r"(?:\s+(?:of|hoe|welke|wat|waar|op\s+welke)\b|\s*[.;:]?\s*$)",
            re.I,
        ),
    ),
    (
        "onderzoek of (eigen werk)",
        re.compile(
            rf"(?<!als\s)\b(?:{_GOV}\s+(?:onderzoek|onderzoekt|onderzoeken|verken|verkent|verkennen|bekijk|bekijkt"
            r"|bekijken|bezie|beziet|kijk|kijkt|kijken|ga\s+na|gaat\s+na|gaan\s+na)"
            r"|(?:onderzoek|onderzoekt|onderzoeken|verken|verkent|verkennen|bekijk|bekijkt|bekijken|bezie|beziet|kijk|kijkt"
            rf"|kijken)\s+{_GOV})\s+(?:(?:\w+\s+){{0,4}}(?:of|hoe|welke|naar|mogelijkheden|mogelijkheid)"
            r"|momenteel|op\s+dit\s+moment|thans)\b",
            re.I,
        ),
    ),
    (
        "werkt aan",
        re.compile(
            rf"\b(?:{_GOV}\s+(?:werk|werkt|werken)|(?:werk|werkt|werken)\s+{_GOV})\s+(?:\w+\s+){{0,3}}aan\s+(?:een|het|de)\s+"
            r"(?:\w+\s+)?\w*(?:wetsvoorstel|voorstel|plan|uitwerking|herziening|aanpassing|regeling|brief|visie|strategie"
            r"|aanpak|agenda|besluit|evaluatie)\b",
            re.I,
        ),
    ),
    (
        "komt met",
        re.compile(
            rf"\b(?:{_GOV}\s+(?:kom|komt|komen)|(?:kom|komt|komen)\s+{_GOV})\s+(?:\w+\s+){{0,5}}met\s+(?:een|de|het)\s+"
            r"(?:\w+\s+)?\w*(?:brief|voorstel|plan|reactie|visie|strategie|agenda|aanpak|wetsvoorstel|evaluatie|notitie"
            r"|review|rapportage|monitor|overzicht)\b",
            re.I,
        ),
    ),
    (
        "wordt nu uitgewerkt",
        re.compile(
            r"\b(?:wordt|worden)\s+(?:\w+\s+){0,3}(?:momenteel|op\s+dit\s+moment|thans|nu|op\s+dit\s+ogenblik)\s+"
            r"(?:\w+\s+){0,3}(?:uitgewerkt|voorbereid|opgesteld|opgezet|ingericht|ontwikkeld|herzien|bezien|geëvalueerd"
            r"|uitgevoerd|gewerkt\s+aan|verwerkt|in\s+(?:kaart|beeld)\s+gebracht|onderzocht|bekeken)\b"
            r"|\b(?:momenteel|thans|op\s+dit\s+moment)\s+(?:wordt|worden)\s+(?:\w+\s+){0,4}"
            r"(?:uitgewerkt|voorbereid|opgesteld|ontwikkeld|herzien|bezien|bekeken|onderzocht|verkend|verwerkt"
            r"|in\s+(?:kaart|beeld)\s+gebracht)\b"
            r"|\b(?:wordt|worden|zal|zullen)\s+(?:[^.;]{0,60}?\s)?voortgezet\b"
            r"|\b(?:wordt|worden)\s+(?:\w+\s+){0,5}voorbereid\b|\bin\s+voorbereiding\b"
            r"|\b(?:wordt|worden)\s+(?:\w+\s+){0,4}(?:verkenning|analyse|impactanalyse)\s+(?:\w+\s+){0,2}uitgevoerd\b",
            re.I,
        ),
    ),
    (
        "wordt daarbij meegenomen",
        re.compile(
            r"\b(?:wordt|worden)\s+(?:daarin|hierin|daarbij|hierbij|daar|hier)\s+(?:\w+\s+){0,2}(?:meegenomen|betrokken)\b",
            re.I,
        ),
    ),
    (
        "afgesproken",
        re.compile(
            r"\b(?:er\s+is|is\s+er)\s+afgesproken\s+(?:om\s+)?(?:\w+\s+){0,8}te\s+\w+|^afgesproken\s+is\b", re.I
        ),
    ),
    (
        "volgt in de reactie",
        re.compile(
            r"\b(?:volgt|volgen)\s+(?:\w+\s+){0,2}in\s+(?:de|het|een|mijn|onze)\s+(?:\w+\s+)?"
            r"\w*(?:reactie|brief|nota|rapportage|voortgangsbrief)\b",
            re.I,
        ),
    ),
    (
        "sta open",
        re.compile(
            r"\bsta(?:an)?\s+(?:ik|wij|we)\s+(?:\w+\s+){0,2}open\b|\b(?:ik|wij|we)\s+sta(?:an)?\s+(?:\w+\s+){0,2}open\b",
            re.I,
        ),
    ),
    (
        "wil (voornemen)",
        re.compile(
            rf"\b(?:{_GOV}\s+(?:wil|willen)|(?:wil|willen)\s+{_GOV})\s+(?!(?:\w+\s+){{0,3}}niet\b)(?:\w+\s+){{0,8}}"
            r"(?:evalueren|onderzoeken|verkennen|uitwerken|bespreken|aanpassen|invoeren|starten|organiseren|voeren"
            r"|afspraken\s+maken|aangaan)\b",
            re.I,
        ),
    ),
    (
        "zal worden (passief)",
        re.compile(
            r"\b(?:zal|zullen)\s+(?!(?:\w+\s+){0,10}(?:moeten|kunnen)\s)(?:\w+\s+){0,10}worden\s+"
            r"(?!gestemd\b|afgewezen\b)\w+[dtn]\b"
            r"|\b(?:zal|zullen)\s+(?:\w+\s+){0,6}ge\w+[dt]\s+worden\b(?!\s+door\b)",
            re.I,
        ),
    ),
    (
        "streven",
        re.compile(
            rf"\b(?:{_GOV}\s+(?:streef|streeft|streven)|(?:streef|streeft|streven)\s+{_GOV})\s+(?:\w+\s+){{0,3}}ernaar\b"
            r"|\b(?:mijn|ons)\s+streven\s+is\s+(?:om|dat)\b",
            re.I,
        ),
    ),
]

_LEAD = re.compile(
    r"^(?:daarnaast|ook|tevens|verder|bovendien|voorts|wel|dan\s+ook|daarom|hierbij|zoals\s+[^,]+,)\s*,?\s*",
    re.I,
)


_EXPECTED_DOC = re.compile(
    r"\bverwachte\b|\b(?:wordt|worden|zal|zullen)\s+(?:\w+\s+){0,6}"
    r"(?:gepubliceerd|verstuurd|verzonden|aangeboden|gestuurd|openbaar\s+gemaakt|afgerond|opgeleverd)\b(?!\s+door\b)"
    r"|\b(?:verschijnt|verschijnen|volgt|volgen|start|starten|begint|beginnen)\b|\bin\s+werking\s+(?:treden|treedt)\b"
    r"|\b(?:is|zijn)\s+voorzien\s+(?:voor|in|rond|na)\b",
    re.I,
)


# Passive and subject-less rules, which someone else's words or a named other agent overrule.
_PASSIVE_RULES = frozenset(
    {
        "zal worden (passief)",
        "er wordt onderzocht of",
        "wordt nu uitgewerkt",
        "blijft in gesprek",
        "kamer geïnformeerd (passief)",
        "wordt daarbij meegenomen",
        "afgesproken",
    }
)
_POINTER_CHECKED = _PASSIVE_RULES - {"blijft in gesprek"}
# 'wordt door de vervoerders onderzocht': the action is another body's.
_GOV_NOUN = r"(?!(?:minister|staatssecretaris|kabinet|ministerie|regering|rijksoverheid|rijk|middel)\b)"
_OTHER_AGENT = re.compile(
    rf"\b[Dd]oor\s+(?:(?:de|het|een)\s+{_GOV_NOUN}\w+|(?!Mij\b|Ons\b){_GOV_NOUN}[A-Z][\w-]*"
    r"|(?i:politie|gemeenten|provincies|waterschappen|werkgevers|bedrijven|scholen|zorgverzekeraars|zorgaanbieders)\b)",
)
# 'Het is belangrijk dat … worden onderzocht': a norm, not a plan; 'niet uitgesloten dat … zal worden': a guess.
_NORMATIVE = re.compile(
    r"^het\s+is\s+(?:\w+\s+)?(?:belangrijk|van\s+belang|essentieel|cruciaal|wenselijk|noodzakelijk)\s+(?:dat|om)\b",
    re.I,
)
_SPECULATION = re.compile(r"\b(?:uitgesloten|denkbaar|waarschijnlijk|aannemelijk)\s+dat\b", re.I)
# 'Hierna ga ik in op de conclusies': the answer discusses, it does not promise.
_DISCUSS = re.compile(r"\b(?:hierna|hieronder|hier)\s+(?:ga|gaan)\s+(?:ik|wij|we)\s+(?:\w+\s+){0,6}in\s+op\b", re.I)
# 'Ik heb onderzoek laten doen': done already.
_PERFECT_LET = re.compile(r"\b(?:heb|hebben|heeft)\b[^.;]{0,80}?\blaten\b", re.I)
_PAST_TENSE = re.compile(r"\b(?:heb|heeft|hebben|had|hadden|was|waren|werd|werden|zou|zouden)\b", re.I)

# Rules whose match ends right before the promised verb phrase ('Ik zal | uw Kamer … informeren').
_VERB_PHRASE_RULES = frozenset({"zal/ga + regering", "toezegging"})


class SentenceLabel(BaseModel):
    """The rule verdict for one sentence."""

    kind: Kind | None
    rule: str | None = None
    term: str | None = None
    what: str | None = None


def find_term(text: str) -> str | None:
    """The deadline or period stated in a sentence, as written."""
    m = _TERM.search(text)
    return m.group(0) if m else None


def action_text(text: str, match: re.Match[str] | None) -> str:
    """The action: the words after the matched construction, or the sentence without boilerplate."""
    body = text.strip().rstrip(".;:")
    if match is not None:
        rest = body[match.end() :].strip(" ,")
        if len(rest.split()) >= 3:
            return rest
    return _LEAD.sub("", body).strip() or body


def classify(text: str, question: str | None = None) -> SentenceLabel:
    """Commitment, refusal or nothing for one answer sentence, by Dutch rules; the question helps read a 'no'."""
    s = " ".join(text.split())
    if not s or s.endswith("?"):
        return SentenceLabel(kind=None)
    for name, pattern in _REFUSALS:
        if pattern.search(s):
            return SentenceLabel(kind="refusal", rule=name, what=action_text(s, None))
    bare = _BARE.match(s)
    if bare and question and _ASKS_YES_NO.search(question) and not _ASKS_TO_EXPLAIN.search(question):
        if bare.group("word").lower() == "nee":
            return SentenceLabel(kind="refusal", rule="nee op verzoek", what=action_text(s, None))
        if re.fullmatch(r"ja[.!]?", s, re.I):
            return SentenceLabel(kind="commitment", rule="ja op verzoek", what=question.strip())
    if len(s.split()) < 2:
        return SentenceLabel(kind=None)
    if question and _ASKS_ACTION.search(question):
        for name, pattern in _WEAK_REFUSALS:
            if pattern.search(s):
                return SentenceLabel(kind="refusal", rule=name, what=action_text(s, None))
    if len(s.split()) < 3:
        return SentenceLabel(kind=None)
    for name, pattern in _COMMITMENTS:
        m = pattern.search(s)
        if not m:
            continue
        if _HABIT.search(s) and name not in ("blijft in gesprek", "blijft (eigen actie)", "toezegging"):
            continue
        if _PAST.search(s) and name not in ("toezegging",) and not re.search(r"\b(?:zal|zullen)\b", s, re.I):
            continue
        if name in ("zal/ga + regering", "blijft (eigen actie)") and (_WATCH.search(s, m.end()) or _POINTER.search(s)):
            continue
        if name == "zal/ga + regering" and _DISCUSS.search(s):
            continue
        if name == "laat onderzoeken" and _PERFECT_LET.search(s):
            continue
        if name in ("informeer de Kamer", "kamer geïnformeerd (passief)") and _NOW.search(s):
            continue
        if name in _PASSIVE_RULES and (_REPORTED.search(s) or _OTHER_AGENT.search(s) or _SPECULATION.search(s)):
            continue
        if _NORMATIVE.search(s):
            continue
        if name in _POINTER_CHECKED and _POINTER.search(s):
            continue
        if name == "onderzoek of (eigen werk)" and re.search(r"\bonderzoek\s+(?:wordt|worden|is)\b", s, re.I):
            continue
        head = m if name in _VERB_PHRASE_RULES else None
        return SentenceLabel(kind="commitment", rule=name, term=find_term(s), what=action_text(s, head))
    term = find_term(s)
    if term and _EXPECTED_DOC.search(s) and not _PAST.search(s) and not _PAST_TENSE.search(s) and " door " not in s:
        return SentenceLabel(kind="commitment", rule="aangekondigd met termijn", term=term, what=action_text(s, None))
    return SentenceLabel(kind=None)


# --- records and extraction ----------------------------------------------------------------------


class Commitment(BaseModel):
    """A commitment or refusal found in an answer, with its source."""

    id: str
    pair_id: str
    document_id: str
    para: int
    sent: int
    who: list[str]
    who_text: str
    text: str
    what: str
    term: str | None
    kind: Kind
    rule: str
    citation: Citation


class RankedCommitment(Commitment):
    """A commitment with its relevance to a query (None without a query)."""

    score: float | None = None


class AnswerClassifier(Protocol):
    """Labels the sentences of one answer; `version` changes whenever its verdicts may change."""

    @property
    def version(self) -> str: ...

    def classify_answer(self, question: str, sentences: Sequence[str]) -> list[SentenceLabel]: ...


# Any edit to this module may change a verdict, so its source is the rules' version.
RULES_VERSION = "rules-" + hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


class RuleClassifier:
    """The offline default: the Dutch rules above, one sentence at a time."""

    version = RULES_VERSION

    def classify_answer(self, question: str, sentences: Sequence[str]) -> list[SentenceLabel]:
        """One rule verdict per sentence."""
        return [classify(s, question) for s in sentences]


RULES = RuleClassifier()


def answer_sentences(paragraphs: Sequence[str]) -> list[tuple[int, int, str]]:
    """(paragraph, sentence, text) for every sentence of an answer."""
    return [(i, j, sent) for i, para in enumerate(paragraphs) for j, sent in enumerate(split_answer_sentences(para))]


def _labelled(
    pairs: list[QAPair], classifier: AnswerClassifier, progress: Progress | None
) -> Iterator[tuple[QAPair, list[tuple[int, int, str]], list[SentenceLabel]]]:
    """Each answered pair with its sentences and their labels, in order; `workers` answers at a time."""
    workers = max(1, int(getattr(classifier, "workers", 1)))

    def label(pair: QAPair) -> tuple[QAPair, list[tuple[int, int, str]], list[SentenceLabel]]:
        sentences = answer_sentences(pair.answer_paragraphs)
        return pair, sentences, classifier.classify_answer(pair.question, [s for _, _, s in sentences])

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for start in range(0, len(pairs), 64 * workers):  # bounded: a few batches in flight, not the corpus
            for done, item in enumerate(pool.map(label, pairs[start : start + 64 * workers]), start + 1):
                if progress:
                    progress(done, len(pairs))
                yield item


def extract(
    corpus: Corpus, classifier: AnswerClassifier = RULES, progress: Progress | None = None
) -> Iterator[Commitment]:
    """Every commitment and refusal in the corpus, in corpus order; `progress(done, total)` per answer."""
    answered = [p for p in corpus.pairs.values() if p.answered]
    for pair, sentences, labels in _labelled(answered, classifier, progress):
        doc = corpus.document_of(pair)
        who = [m.name for m in doc.ministers]
        who_text = ", ".join(m.label() for m in doc.ministers) if who else UNKNOWN_WHO
        citation = cite(doc, pair)
        for (i, j, sent), label in zip(sentences, labels, strict=True):
            if label.kind is None:
                continue
            yield Commitment(
                id=f"{pair.id}-c{i}.{j}",
                pair_id=pair.id,
                document_id=doc.id,
                para=i,
                sent=j,
                who=who,
                who_text=who_text,
                text=sent,
                what=label.what or sent,
                term=label.term,
                kind=label.kind,
                rule=label.rule or "",
                citation=citation,
            )


# --- stored with the index -----------------------------------------------------------------------

COMMITMENTS_FILE = "commitments.jsonl"
COMMITMENT_VECTORS_FILE = "commitments.npz"


class StoredCommitments(BaseModel):
    """What an index build holds about commitments: who labelled them, and the records."""

    classifier: str
    corpus_sha256: str
    items: list[Commitment]


def stored_is_current(stored: StoredCommitments, classifier: AnswerClassifier, corpus: Corpus) -> bool:
    """True when the stored records were labelled by this classifier version from this corpus."""
    return stored.classifier == classifier.version and stored.corpus_sha256 == corpus.sha256


def save_commitments(folder: Path, stored: StoredCommitments, vectors: np.ndarray) -> None:
    """Write the records (a header line, then one per line) and their sentence vectors into a build folder."""
    with open(folder / COMMITMENTS_FILE, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"classifier": stored.classifier, "corpus_sha256": stored.corpus_sha256}) + "\n")
        for c in stored.items:
            fh.write(c.model_dump_json() + "\n")
    keys = np.array([TextVectors.key(c.text) for c in stored.items])
    np.savez(folder / COMMITMENT_VECTORS_FILE, keys=keys, vectors=np.asarray(vectors, dtype=np.float32))


def load_commitments(folder: Path) -> tuple[StoredCommitments, dict[str, np.ndarray]] | None:
    """The records and vectors stored in a build folder; None when absent or unreadable."""
    path = folder / COMMITMENTS_FILE
    if not path.exists():
        return None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        head = json.loads(lines[0])
        items = [Commitment.model_validate_json(line) for line in lines[1:] if line.strip()]
        stored = StoredCommitments(classifier=head["classifier"], corpus_sha256=head["corpus_sha256"], items=items)
        vectors: dict[str, np.ndarray] = {}
        if (folder / COMMITMENT_VECTORS_FILE).exists():
            with np.load(folder / COMMITMENT_VECTORS_FILE) as data:
                vectors = {str(k): v for k, v in zip(data["keys"], data["vectors"], strict=True)}
    except (OSError, ValueError, KeyError, IndexError, ValidationError):
        return None
    return stored, vectors


class CommitmentIndex:
    """The corpus's commitments: read from the index build when it holds them, else extracted now."""

    def __init__(self, retriever: Retriever, classifier: AnswerClassifier = RULES) -> None:
        self.retriever = retriever
        self.classifier = classifier.version  # who labelled the items served
        self._cache = TextVectors(retriever.embedder, retriever.settings.passage_prefix, None)
        stored = load_commitments(retriever.folder) if retriever.folder else None
        if stored:
            self._cache.preload(stored[1])  # keyed by sentence: still right for sentences labelled again
        current = stored is not None and stored_is_current(stored[0], classifier, retriever.corpus)
        # Labelling again here is cheap with the rules; with a chat model it is one request per answer, which
        # belongs in `rag index --if-needed`, so until then the stored labels are served and said to be stale.
        keep = (
            stored is not None
            and stored[0].corpus_sha256 == retriever.corpus.sha256
            and not isinstance(classifier, RuleClassifier)
        )
        self.stale: str | None = None
        if stored and (current or keep):
            self.items: list[Commitment] = stored[0].items
            self.classifier = stored[0].classifier
            self.source = "index"
            if not current:
                self.stale = (
                    f"labelled by {stored[0].classifier}, not by the configured {classifier.version}; "
                    "run `rag index --if-needed` to label them again"
                )
        else:
            self.items = list(extract(retriever.corpus, classifier))
            self.source = "extracted"

    def vectors(self) -> np.ndarray:
        """One L2-normalised vector per commitment sentence, embedded on first use."""
        return self._cache.get([c.text for c in self.items])

    def search(
        self, q: str | None = None, minister: str | None = None, kind: Kind | None = None, limit: int = 20
    ) -> list[RankedCommitment]:
        """Commitments filtered by minister and kind, ranked by cosine to q (corpus order without q)."""
        needle = minister.casefold().strip() if minister else None
        keep = [
            i
            for i, c in enumerate(self.items)
            if (kind is None or c.kind == kind)
            and (needle is None or any(needle in m.label().casefold() for m in c.citation.ministers))
        ]
        if not q or not q.strip():
            return [RankedCommitment(**self.items[i].model_dump()) for i in keep[:limit]]
        if not keep:
            return []
        qvec = self.retriever.embedder.embed_batch([self.retriever.settings.query_prefix + q.strip()])[0]
        scores = self.vectors()[keep] @ qvec
        order = sorted(range(len(keep)), key=lambda r: (-float(scores[r]), keep[r]))[:limit]
        return [RankedCommitment(**self.items[keep[r]].model_dump(), score=round(float(scores[r]), 6)) for r in order]
