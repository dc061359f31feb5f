"""What patient-facing text must never say, and where that text lives in a knowledge base.

The tool is non-diagnostic: it may say which leaflet sections relate to answers, never that a person
has a disease or a calcification.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from triage.knowledge.reading import Reading
from triage.model import ConsiderWorkup, KnowledgeBase

# Building blocks of the phrases below (regular expressions; matched case-insensitively on text whose spaces,
# line breaks and curly apostrophes have been normalised, so "you\n  probably  have" reads "you probably have").
HEDGE = (r"(?:(?:most |very |quite |almost )?(?:probably|likely|certainly|surely|definitely)|possibly|maybe"
         r"|perhaps|clearly|may|might|could|must|seem to|appear to|already|also|still|now|really|do)")
# Names of conditions a sentence may pin on a person ("it's cancer", "these are kidney stones").
CONDITION = (r"(?:(?:breast |lung |kidney |liver |thyroid |prostate |bladder )?cancer|(?:a )?tumou?rs?|(?:a )?growth"
             r"|tuberculosis|tb|(?:kidney |gall ?|bladder )?stones?"
             r"|(?:a )?calcifications?|calcium deposits|deposits|(?:a )?goitre|(?:a )?goiter|(?:liver )?cirrhosis"
             r"|(?:an )?infection|(?:a )?(?:heart |kidney |liver |lung )?disease|(?:an )?illness"
             r"|(?:a )?heart attack|hyperparathyroidism|sarcoidosis|atherosclerosis|arteriosclerosis"
             r"|nephrocalcinosis|mastitis|prostatitis|parasites|(?:a )?parasite|malignant|benign)")
# What "your lungs are ..." must not go on to say: a diseased state, or that all is well.
BODY_STATE = (r"(?:calcified|damaged|diseased|inflamed|infected|hardened|blocked|enlarged|scarred|failing"
              r"|abnormal|cancerous|affected|swollen|not working|fine|normal|healthy|ok|okay|harmless|in good shape)")
# Words that may stand before a condition's name ("a harmless calcification").
ADJECTIVE = r"(?:(?:harmless|small|mild|serious|early|benign|old) )?"
# Words after "you have" that make it about the answers or a question, not about the person's body.
NOT_A_STATE = (r"(?:answered|said|told|noticed|had|ever|seen|felt|passed|thrown|lived|become|any|chosen|picked"
               r"|read|finished|a question|questions|time)")

DIAGNOSTIC_PHRASES = [
    # --- telling a person what they have, plainly or hedged --------------------------------------------------
    # "you have X", "you probably have X", "you may have X", "you've got X"; not when it asks or supposes
    # ("Do you have", "If you have") or is about the answers ("you have answered"); "you have been" below.
    rf"(?<!\bif )(?<!whether )(?<!\bwhen )(?<!\bdo )(?<!\bthat )\byou(?: {HEDGE})?(?: have(?: got)?|'ve(?: got)?)\b"
    rf"(?! {NOT_A_STATE}\b| been\b)",
    # "you probably had TB": a guess about the past is a diagnosis too (a plain "you had" is left to review)
    rf"\byou {HEDGE} (?:have )?had\b",
    # "you have been diagnosed", "you were diagnosed", "you are diagnosed"
    r"\byou(?: are|'re| were| have been|'ve been| had been) (?:\w+ )?diagnosed\b",
    r"\bdiagnos(?:is|ed)\s*:",
    r"\byour diagnosis\b",
    # "you suffer from", "you are suffering from", and anyone "suffering from"
    rf"\byou(?: {HEDGE})? suffer(?:s|ed)? from\b",
    r"\bsuffering from\b",
    r"\byou(?:'re| are) (?:\w+ )?(?:suffering|sick|diseased|affected|infected)\b",
    # "you are ill" (but "you are not ill" is reassurance, below)
    r"\byou(?:'re| are) (?:\w+ )?ill\b",
    # --- indirect: the answers, signs or results made into a diagnosis ----------------------------------------
    # "your answers show that you have", "these answers suggest kidney stones", "this means you have"
    rf"\b(?:your|these|the|this|that|which|it)(?: answers?| signs?| symptoms?| results?| findings?)?(?: {HEDGE})?"
    rf" (?:shows?|suggests?|indicates?|means?|proves?|confirms?|points? to|is a sign of|are signs of)"
    rf" (?:that )?(?:you(?:'ve| have| are|'re)?\b|your \w+ (?:is|are)\b|{CONDITION}\b)",
    # "it's cancer", "these are kidney stones", "this is probably TB", "this looks like a tumour"
    rf"\b(?:it|this|that|these|those|they)(?:'s|'re| is| are| was| were| looks? like| seems? to be| sounds? like"
    rf"| must be| could be| may be| might be)(?: {HEDGE})?(?: (?:a|an|the|your|just|only))?(?: a| an)?"
    rf" {ADJECTIVE}{CONDITION}\b",
    # "the answers you gave point to heart disease", "you show signs of TB", "results typical of cancer"; said
    # of the person's own answers or body (a leaflet may say that some calcifications "can point to cancer")
    rf"\b(?:you|your|answers|results|symptoms)\b(?: [\w']+){{0,3}} (?:points?|pointing) to {ADJECTIVE}{CONDITION}\b",
    rf"\b(?:you|your|answers|results|symptoms)\b(?: [\w']+){{0,3}} (?:typical|a sign|signs|a symptom|symptoms) of"
    rf" {ADJECTIVE}{CONDITION}\b",
    # "the cause of your symptoms is TB", "your result: kidney stones", "in your case", "you are dealing with"
    r"\bthe cause of your \w+ (?:is|are)\b",
    r"\byour results?\s*:",
    r"\bin your case\b",
    rf"\byou(?:'re| are)(?: {HEDGE})? (?:dealing with|living with|fighting) ",
    rf"\byou(?:'re| are)?(?: {HEDGE})?(?: be)? having {ADJECTIVE}{CONDITION}\b",
    # "your kidneys don't work properly"
    r"\byour (?:\w+ ){1,2}(?:do not|don't|does not|doesn't|no longer) work\b",
    # "your lungs are calcified", "your kidneys are probably damaged"
    rf"\byour (?:\w+ ){{1,2}}(?:is|are|has been|have been|was|were)(?: {HEDGE})? {BODY_STATE}\b",
    # "your kidneys have calcifications", "your liver shows deposits", "there are stones in your kidneys"
    rf"\byour (?:\w+ ){{1,2}}(?:has|have|shows?|contains?)(?: {HEDGE})? {CONDITION}\b",
    rf"\bthere (?:is|are)(?: {HEDGE})? (?:some )?(?:calcium|{CONDITION}) in your\b",
    # --- false reassurance is a diagnosis too -------------------------------------------------------------------
    # "you do not have cancer", "you don't have", "you are not ill", "you're healthy", "you are fine"
    rf"(?<!\bif )\byou (?:{HEDGE} )?(?:do not|don't|dont) have\b",
    r"\byou(?:'re| are)(?: \w+)? (?:not (?:ill|sick|diseased|infected|in danger|at risk)|healthy|fine|ok|okay"
    r"|in good health|out of danger|safe|cured|all clear)\b",
    # "you do not need to see a doctor", "there is no need to see a doctor", "you can skip your check-up"
    r"\b(?:you (?:do not|don't|dont|will not|won't|no longer) need|(?:there is )?no (?:need|reason))"
    r" (?:to )?(?:see |visit |call |go to |worry|have |get |any |a |an |the |your |treatment|tests?|check|doctor)",
    r"\byou (?:can|may|could) (?:safely )?(?:ignore|skip|forget|wait|stop worrying)\b",
    r"\bnothing (?:is )?wrong with you\b",
    r"\bno doctor (?:is )?needed\b",
    r"\bdon't bother\b",
    r"\beverything (?:is|looks|seems) (?:normal|fine|ok|okay|good|all right)\b",
    r"\bnothing to worry about\b",
    r"\b(?:it|this|that)(?:'s| is| was)(?: \w+)? (?:not (?:serious|dangerous|a problem)|nothing serious|harmless"
    r"|nothing to worry)\b",
]
_PATTERN = re.compile("|".join(f"(?:{p})" for p in DIAGNOSTIC_PHRASES), re.IGNORECASE)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u0060": "'", "\u00b4": "'"})


def normalised(text: str) -> str:
    """One space between words (line breaks, tabs, runs of spaces) and straight apostrophes."""
    return " ".join(text.translate(_APOSTROPHES).split())


def diagnostic_phrases(text: str) -> list[str]:
    """The diagnostic phrases found in `text` (empty when it is fine), as they read once normalised."""
    return [m.group(0) for m in _PATTERN.finditer(normalised(text))]


def patient_texts(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    """Every text of the knowledge base a patient may read, as (where, text)."""
    yield "knowledge.yaml: disclaimer", kb.disclaimer
    yield "knowledge.yaml: about", kb.about
    for u in kb.urgency_levels:
        yield f"urgency '{u.id}'", f"{u.label}. {u.timeframe}. {u.advice}"
    for d in kb.doctors:
        yield f"doctor '{d.id}'", d.name
    yield from _question_texts(kb)
    for s in kb.sections:
        yield f"section '{s.id}': title", s.title
        for field in ("what", "causes", "signs", "examination", "next"):
            yield f"section '{s.id}': education.{field}", getattr(s.education, field)
    for w in kb.workups:
        yield f"workup '{w.id}'", f"{w.name}. {w.purpose}"
    for a in kb.advice:
        yield f"advice '{a.id}'", a.text
    for r in kb.rules:
        yield f"rule '{r.id}': statement", r.statement
        if isinstance(r.then, ConsiderWorkup):
            yield f"rule '{r.id}': reason", r.then.reason


def reading_texts(reading: Reading) -> Iterator[tuple[str, str]]:
    """The kiosk's reading pages (rules/reading.yaml) as (where, text): titles, paragraphs, the closing line."""
    yield "reading.yaml: closing", reading.closing
    for page in reading.pages:
        yield f"reading page '{page.id}': title", page.title
        for paragraph in page.paragraphs:
            yield f"reading page '{page.id}'", paragraph.text


def _question_texts(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    for q in kb.questions:
        yield f"question '{q.id}'", q.text
        if q.emergency_sign:
            yield f"question '{q.id}': emergency_sign", q.emergency_sign
        if q.help:
            yield f"question '{q.id}': help", q.help
        for o in q.options:
            yield f"question '{q.id}': option '{o.id}'", o.label
