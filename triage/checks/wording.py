"""What patient-facing text must never say, and where that text lives in a knowledge base.

The tool is non-diagnostic: it may say which leaflet sections relate to answers, never that a person
has a disease or a calcification.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from triage.knowledge.reading import Reading
from triage.model import ConsiderWorkup, KnowledgeBase


class AboutYou(str):
    """A phrase that cannot match unless the text says "you" (your, you're, ...), so it is tried only on texts
    that do. Most patient texts are leaflet paragraphs that never address the reader, and these phrases are the
    costly ones: a long list of conditions tried at every word; tried on every text, they would triple the check
    that runs at every start-up."""


# Building blocks of the phrases below (regular expressions; matched case-insensitively on text whose spaces,
# line breaks and curly apostrophes have been normalised, so "you\n  probably  have" reads "you probably have").
HEDGE = (r"(?:(?:most |very |quite |almost )?(?:probably|likely|certainly|surely|definitely)|possibly|maybe"
         r"|perhaps|clearly|may|might|could|must|seem to|appear to|already|also|still|now|really|do)")
# The organs of the leaflet, as a condition's name may start with one ("lung calcification").
ORGAN = (r"(?:breast|lung|pulmonary|kidney|renal|liver|hepatic|thyroid|prostate|prostatic|bladder|heart(?: muscle)?"
         r"|myocardial|cardiac)")
# Names of conditions a sentence may pin on a person ("it's cancer", "these are kidney stones").
CONDITION = (rf"(?:(?:a |an )?(?:{ORGAN} )?(?:cancer|tumou?rs?|growth|tuberculosis|tb|(?:gall ?)?stones?"
             r"|calcifications?|calcinosis|calcium deposits|deposits|goitre|goiter|cirrhosis|infection|disease|illness"
             r"|failure|inflammation|attack|hyperparathyroidism|hypercalc(?:a)?emia|hypothyroidism|thyroiditis"
             r"|pyelonephritis|pneumonia|abscess|hepatitis|malaria|echinococcosis|amoebiasis|mastopathy|sarcoidosis"
             r"|atherosclerosis|arteriosclerosis|nephrocalcinosis|mastitis|prostatitis|parasites|parasite|malignant"
             r"|benign|scars?|scarring|lesions?))")
# What "your lungs are ..." must not go on to say: a diseased state, or that all is well.
BODY_STATE = (r"(?:(?:(?:perfectly|completely|totally|entirely|quite|very|badly|seriously|slightly|a bit|too) )?"
              r"(?:calcified|damaged|diseased|inflamed|infected|hardened|blocked|enlarged|scarred|failing"
              r"|abnormal|cancerous|affected|swollen|not working|fine|normal|healthy|ok|okay|harmless|in good shape"
              r"|too high|too low|raised|elevated|out of balance|malignant|benign|dangerous|nothing|in danger"
              r"|at risk|weak|weakened|overloaded|struggling|reduced|impaired|poor|low|high|underactive"
              r"|overactive|slow|sick|ill"
              r"|in a bad way|in bad shape|in trouble|not well|not worrying|no cause for concern|not a concern"
              r"|not serious|not dangerous))")
# Words that may stand before a condition's name ("a harmless calcification").
ADJECTIVE = r"(?:(?:harmless|small|mild|serious|early|benign|old|typical|classic|clear|definite|likely|probable) )?"
# Words after "you have" that make it about the answers or a question, not about the person's body.
NOT_A_STATE = (r"(?:answered|said|told|noticed|had|ever|seen|felt|passed|thrown|lived|become|any|chosen|picked"
               r"|read|finished|a question|questions|time)")

DIAGNOSTIC_PHRASES: list[str] = [
    # --- telling a person what they have, plainly or hedged --------------------------------------------------
    # "you have X", "you probably have X", "you may have X", "you've got X"; not when it asks or supposes
    # ("Do you have", "If you have") or is about the answers ("you have answered"); "you have been" below.
    AboutYou(rf"(?<!\bif )(?<!whether )(?<!\bwhen )(?<!\bdo )(?<!\bthat )\byou(?: {HEDGE})?(?: have(?: got)?"
    rf"|'ve(?: got)?)\b"
    rf"(?! {NOT_A_STATE}\b| been\b)"),
    # "it is likely that you have", "it seems that you have", "we found that you have": a judgement, then the
    # person's state (a plain "that you have" stays allowed: "any papers that you have")
    AboutYou(rf"\b(?:likely|probable|possible|clear|certain|sure|obvious|found|find|finds|shows?|think|thinks|believe"
    rf"|believes|seems?|appears?|chance|looks?|sounds?|suggests?|means?) that you(?: {HEDGE})?"
    rf"(?: have(?: got)?|'ve(?: got)?)\b(?! {NOT_A_STATE}\b| been\b)"),
    # "you probably had TB": a guess about the past is a diagnosis too (a plain "you had" is left to review)
    AboutYou(rf"\byou {HEDGE} (?:have )?had\b"),
    # "you have been diagnosed", "you were diagnosed", "you are diagnosed"
    AboutYou(r"\byou(?: are|'re| were| have been|'ve been| had been) (?:\w+ )?diagnosed\b"),
    r"\bdiagnos(?:is|ed)\s*:",
    AboutYou(r"\byour diagnosis\b"),
    # "you suffer from", "you are suffering from", and anyone "suffering from"
    AboutYou(rf"\byou(?: {HEDGE})? suffer(?:s|ed)? from\b"),
    r"\bsuffering from\b",
    AboutYou(r"\byou(?:'re| are) (?:\w+ )?(?:suffering|sick|diseased|affected|infected)\b"),
    # "you are ill" (but "you are not ill" is reassurance, below)
    AboutYou(r"\byou(?:'re| are) (?:\w+ )?ill\b"),
    # --- indirect: the answers, signs or results made into a diagnosis ----------------------------------------
    # "your answers show that you have", "these answers suggest kidney stones", "this means you have"
    rf"\b(?:your|these|those|the|this|that|which|it)(?: answers?| signs?| symptoms?| results?| findings?)?(?: {HEDGE})?"
    rf" (?:shows?|suggests?|indicates?|means?|proves?|confirms?|points? to|is a sign of|are signs of)"
    rf" (?:that )?(?:you(?:'ve| have| are|'re)?\b|your \w+ (?:is|are)\b|{CONDITION}\b)",
    # "it's cancer", "these are kidney stones", "this is probably TB", "this looks like a tumour"
    rf"\b(?:it|this|that|these|those|they)(?:'s|'re| is| are| was| were| looks? like| seems? to be| sounds? like"
    rf"| must be| could be| may be| might be| has to be| have to be| can only be)(?: {HEDGE})?(?: (?:a|an|the|your"
    rf"|just|only))?(?: a| an)?"
    rf" {ADJECTIVE}{CONDITION}\b",
    # "the answers you gave point to heart disease", "you show signs of TB", "results typical of cancer"; said
    # of the person's own answers or body (a leaflet may say that some calcifications "can point to cancer")
    rf"\b(?:you|your|answers|results|symptoms)\b(?: [\w']+){{0,3}} (?:points?|pointing) to {ADJECTIVE}{CONDITION}\b",
    rf"\b(?:you|your|answers|results|symptoms)\b(?: [\w']+){{0,4}} (?:typical(?: signs| symptoms)?"
    rf"|classic(?: signs| symptoms)?|a sign|signs|a symptom|symptoms|(?:a |an )?(?:clear |typical |classic )?case)"
    rf" of {ADJECTIVE}{CONDITION}\b",
    # "your answers are consistent with lung calcification", "your symptoms match kidney stones"
    rf"\b(?:you|your|answers?|signs?|symptoms?|results?|findings?|this|that|it|these|what you \w+)\b(?: [\w']+){{0,3}}"
    rf" (?:consistent|compatible|in keeping|in line|fits?|fitting|match(?:es|ing)?|resembles?|agrees?)"
    rf" (?:with )?{ADJECTIVE}{CONDITION}\b",
    # "what you describe is a goitre", "what you told us sounds like TB"
    AboutYou(rf"\bwhat you (?:\w+ ){{1,2}}(?:is|are|sounds? like|looks? like|seems? (?:to be|like)|could be|may be"
    rf"|might be"
    rf"|must be|points? to)(?: {HEDGE})?(?: (?:a|an|the))? {ADJECTIVE}{CONDITION}\b"),
    # "your breathing problems come from old TB";
    # "the swelling in your neck is a goitre", "these spots in your lungs are from TB"
    AboutYou(rf"\byour (?!answers?\b)(?:\w+ ){{1,2}}(?:is|are|was|were|comes?|came)(?: {HEDGE})? (?:caused by"
    rf"|due to|from"
    r"|brought on by|the result of|a result of) "),
    AboutYou(rf"\b(?:the|these|those|this|that|your) (?:\w+ ){{0,4}}(?:in|on) your (?:[\w-]+ )?(?:is|are|was|were"
    rf"|comes?)(?: {HEDGE})?"
    rf"(?: not)? (?:from|caused by|due to|(?:a |an |the )?{ADJECTIVE}{CONDITION}\b)(?![^.!?]*\?)"),
    # "the tiredness you describe comes from your thyroid"; "your problem is an underactive thyroid"
    AboutYou(r"\byou (?:describe|feel|notice|have noticed|told us about|report|mention)\b(?: \w+){0,2} (?:comes?"
    r"|came|is|are)"
    r" (?:from|caused by|due to) "),
    AboutYou(r"\byour (?:main |real |actual )?(?:problem|issue|condition|trouble) (?:is|are|was)\b"),
    # a condition's name, then what pins it on the person: "kidney calcification is the cause of your symptoms",
    # "calcifications were found in your breast", "calcium has built up in your liver", "calcifications like yours".
    # One pattern, so that the long list of names is searched for once; not in a clause that asks or supposes
    # ("told you that ... were found in your", "if deposits were found in your ...").
    AboutYou(rf"(?<!\bthat )(?<!\bif )(?<!\bwhether )\b(?:calcium|spots|ones|{CONDITION})"
    rf"(?: (?:is|are|was|were)(?: {HEDGE})? (?:the |a )?(?:likely |probable |main )?(?:cause|reason|source)"
    rf" (?:of|for|behind) your\b"
    rf"| (?:is|are|was|were|has been|have been)(?: {HEDGE})? (?:found|seen|detected|present|visible|growing|forming)"
    rf" in your\b(?![^.!?]*\?)"
    rf"| (?:has|have)(?: {HEDGE})? (?:built up|formed|settled|collected|grown|spread|left \w+(?: \w+)?) in your\b"
    r"| like yours\b)"),
    # "all signs point to your kidneys"
    # "this questionnaire has detected calcifications in your lungs"; "the most likely explanation is an infection"
    AboutYou(rf"\b(?:detected|found|seen|spotted|identified|shows?|showed) {CONDITION} in your\b(?![^.!?]*\?)"),
    rf"\b(?:assessment|conclusion|verdict|impression|explanation)s?(?: is|:)(?: {HEDGE})? (?:(?:a|an|the) )?"
    rf"{ADJECTIVE}{CONDITION}\b",
    AboutYou(r"\b(?:signs?|answers?|symptoms?|results?|everything) (?:\w+ ){0,2}points? to your\b"),
    AboutYou(r"\byour case is\b"),
    # a bare guess opening a sentence: "Looks like kidney stones.", "Probably cancer."
    rf"(?:^|[.!?;:] )(?:(?:it |this |that )?(?:looks|sounds|seems) like|(?:most |very )?(?:probably|likely|possibly"
    rf"|maybe|perhaps|definitely|certainly|clearly)) {ADJECTIVE}{CONDITION}\b",
    # "your calcifications are harmless", "your deposits are from TB"
    AboutYou(rf"\byour (?:\w+ )?{CONDITION} (?:is|are|was|were|looks?|seems?)(?: {HEDGE})? (?:{BODY_STATE}|serious"
    rf"|from|caused"
    r"|due)\b"),
    # "you are at high risk of cancer"; "the likely diagnosis is"; "you need treatment for TB"
    AboutYou(rf"(?<!\bif )\byou(?:'re| are)(?: {HEDGE})? (?:at|in) (?:a )?(?:\w+ )?risk (?:of|for)\b"),
    AboutYou(rf"(?<!\bif )\byou(?:'re| are)(?: {HEDGE})? (?:likely|bound|sure|certain|going) to (?:have|get"
    rf"|develop)\b"),
    r"\b(?:likely|probable|possible|suspected|working|preliminary) diagnos[ie]s\b",
    AboutYou(rf"(?<!\bif )\byou(?: {HEDGE})? (?:need|require)s? (?:\w+ ){{0,2}}(?:treatment|surgery|an operation"
    rf"|dialysis"
    r"|antibiotics|hormone (?:therapy|replacement|treatment))\b"),
    # "the cause of your symptoms is TB", "your result: kidney stones", "in your case", "you are dealing with"
    AboutYou(r"\bthe cause of your \w+ (?:is|are)\b"),
    AboutYou(r"\byour results?\s*:"),
    AboutYou(r"\bin your case\b"),
    AboutYou(rf"\byou(?:'re| are)(?: {HEDGE})? (?:dealing with|living with|fighting) "),
    AboutYou(rf"\byou(?:'re| are)?(?: {HEDGE})?(?: be| to be)? (?:having|developing|getting|showing|starting)"
    rf" {ADJECTIVE}{CONDITION}\b"),
    # "your kidneys don't work properly"
    AboutYou(r"\byour (?:\w+ ){1,2}(?:do not|don't|does not|doesn't|no longer) work\b"),
    # "your lungs are calcified", "your kidneys are probably damaged"
    AboutYou(rf"(?<!\bif )(?<!\bwhen )(?<!\bwhether )\byour (?:\w+ ){{1,2}}(?:is|are|has been|have been|was|were"
    rf"|looks?|seems?|appears?"
    rf"|(?:must|may|might|could|will|should|can only) be)(?: {HEDGE})?(?: to be)? {BODY_STATE}\b"),
    # "your prostate has calcified", "your thyroid is not making enough hormone", "your lung spots are old TB scars"
    AboutYou(r"\byour (?:\w+ ){1,2}(?:has|have|had)(?: become| been| got| gotten)? (?:calcified|damaged|inflamed"
    r"|infected"
    r"|enlarged|scarred|hardened|failed|swollen|stopped working)\b"),
    AboutYou(rf"\byour (?:\w+ ){{1,2}}(?:is|are|isn't|aren't)(?: {HEDGE})?(?: not)? (?:making|producing|working"
    rf"|filtering"
    rf"|cleaning|pumping)\b"),
    AboutYou(rf"\byour (?!answers?\b)(?:\w+ ){{1,2}}(?:is|are|was|were)(?: {HEDGE})?(?: (?:a|an|the|just"
    rf"|only))? {ADJECTIVE}"
    rf"{CONDITION}\b"),
    # "this is a calcified lymph node", "it is cancerous"
    # (not "a gland that was inflamed", "when it is infected")
    rf"(?<!\bwhen )(?<!\bif )\b(?:it|this|these|those|they)(?:'s| is| are|'re| was| were)(?: {HEDGE})?"
    r"(?: (?:a|an|just|only))? (?:calcified|cancerous|malignant|benign|inflamed|infected|tuberculous)\b",
    # "this pattern is typical for kidney calcification"; "the answers indicate a problem with your kidneys"
    rf"\b(?:this|that|these|it|pattern|picture|combination)\b(?: [\w']+){{0,3}} (?:typical|classic|characteristic)"
    rf" (?:for|of) {ADJECTIVE}{CONDITION}\b",
    AboutYou(r"\b(?:shows?|suggests?|indicates?|means?|points? to|reveals?) (?:a |an )?(?:\w+ )?(?:problem|issue"
    r"|trouble"
    r"|damage|disease) (?:with|in|of) your\b"),
    # "your kidneys have calcifications", "your liver shows deposits", "there are stones in your kidneys"
    AboutYou(rf"\byour (?:\w+ ){{1,2}}(?:has|have|shows?|contains?)(?: {HEDGE})? {CONDITION}\b"),
    AboutYou(rf"\bthere (?:is|are)(?: {HEDGE})? (?:some )?(?:calcium|{CONDITION}) in your\b"),
    # --- false reassurance is a diagnosis too -------------------------------------------------------------------
    # "you do not have cancer", "you don't have", "you are not ill", "you're healthy", "you are fine"
    AboutYou(rf"(?<!\bif )\byou (?:{HEDGE} )?(?:do not|don't|dont) have\b"),
    AboutYou(r"\byou(?:'re| are|'ll be| will be)(?: \w+)? (?:not (?:ill|sick|diseased|infected|in danger|at risk)"
    r"|healthy|fine|ok|okay"
    r"|in (?:good|perfect|great|excellent) (?:health|shape)|out of danger|safe|cured|all clear)\b"),
    # "you do not need to see a doctor", "there is no need to see a doctor", "you can skip your check-up"
    r"\b(?:you (?:do not|don't|dont|will not|won't|no longer) need|(?:there is )?no (?:need|reason))"
    r" (?:to )?(?:see |visit |call |go to |worry|have |get |any |a |an |the |your |treatment|tests?|check|doctor)",
    AboutYou(r"\byou (?:can|may|could) (?:safely |just )?(?:ignore|skip|forget|wait|stop worrying|relax"
    r"|stay (?:at )?home"
    r"|rest easy|calm down)\b"),
    r"\bit (?:will|should) (?:pass|go away|get better|heal)(?: by itself| on its own)?\b",
    AboutYou(r"\bnothing (?:is )?wrong with you\b"),
    r"\bnothing serious\b",
    r"\bnothing (?:is |seems |looks )?wrong\b",
    AboutYou(r"\byou(?:'re| are) not (?:at )?(?:any |much )?risk\b"),
    r"\b(?:it is|it's) (?:safe|fine|ok|okay|all right) to (?:skip|ignore|wait|miss|stay|cancel|not)\b",
    r"\b(?:there is|there's|there are|i see|we see|shows?) no (?:signs?|traces?|evidence|hints?) of\b",
    r"\bno doctor (?:is )?needed\b",
    r"\bno (?:further |more |other )?(?:checks?|tests?|visits?|treatment|follow-up|doctor) (?:is |are )?(?:needed"
    r"|necessary|required)\b",
    rf"\b(?:answers?|results?|signs?|symptoms?|this|these|that)\b(?: [\w']+){{0,2}} (?:rules? out|excludes?)"
    rf" {ADJECTIVE}{CONDITION}\b",
    r"\bdon't bother\b",
    r"\beverything (?:is|looks|seems) (?:normal|fine|ok|okay|good|all right)\b",
    r"\bnothing to (?:be )?(?:worry|worried|concerned|afraid|anxious|fear) about\b",
    r"\b(?:it|this|that)(?:'s| is| was)(?: \w+)? (?:not (?:serious|dangerous|a problem)|nothing serious|harmless"
    r"|nothing to worry|nothing)\b(?! (?:to do with|like|but)\b)",
    rf"\b(?:it|this|that|these|those|they)(?:'s| is| are|'re| was| were)(?: \w+)? not {ADJECTIVE}{CONDITION}\b",
]


def _compiled(phrases: Iterable[str]) -> re.Pattern[str]:
    # The phrases are written in lower case and matched against lower-cased text: re.IGNORECASE would make
    # Python's matcher try every position in full, three to four times slower.
    return re.compile("|".join(f"(?:{p})" for p in phrases))


_ABOUT_YOU = _compiled(p for p in DIAGNOSTIC_PHRASES if isinstance(p, AboutYou))
_ANYWHERE = _compiled(p for p in DIAGNOSTIC_PHRASES if not isinstance(p, AboutYou))
_SAYS_YOU = re.compile(r"\byou")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u0060": "'", "\u00b4": "'"})


def normalised(text: str) -> str:
    """One space between words (line breaks, tabs, runs of spaces), straight apostrophes, compatibility forms
    folded (full-width 'Ｙｏｕ' reads 'You') and invisible format characters (zero-width spaces) left out."""
    text = text.translate(_APOSTROPHES)
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) != "Cf")
    return " ".join(text.split())


_WORD = re.compile(r"[^\W\d_]+")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def hidden_characters(text: str) -> list[str]:
    """What in `text` can hide a word from this check and from a reviewer's eye, which sees the same shapes, as
    phrases to follow "it has": invisible characters (zero-width spaces and joiners, direction marks, controls),
    letters in a compatibility form (full-width 'Ｙ', ligatures) and words that mix scripts ('Yоu', Cyrillic 'о')."""
    if text.isascii():  # the usual case, and quick: only control characters can hide anything here
        return [_invisible(c) for c in dict.fromkeys(_ASCII_CONTROL.findall(text))]
    found, compatible = [], []
    for char in dict.fromkeys(text):
        category = unicodedata.category(char)
        if category in ("Cf", "Co", "Cs") or (category == "Cc" and char not in "\n\t"):
            found.append(_invisible(char))
        elif (category[0] == "L" or category == "Nd") and unicodedata.normalize("NFKC", char) != char:
            compatible.append(f"'{char}' for '{unicodedata.normalize('NFKC', char)}'")
    if compatible:
        found.append(f"letters in a full-width or other compatibility form ({', '.join(compatible)})")
    for word in dict.fromkeys(_WORD.findall(text)):
        # the script is the first word of a letter's name (LATIN, CYRILLIC, GREEK); modifier letters such as
        # the apostrophe U+02BC belong to none
        scripts = sorted({unicodedata.name(c, "UNKNOWN").split()[0].capitalize() for c in word
                          if unicodedata.category(c) in ("Lu", "Ll", "Lt", "Lo")})
        if len(scripts) > 1:
            found.append(f"the word '{word}', whose letters mix {' and '.join(scripts)} script")
    return found


def _invisible(char: str) -> str:
    return f"an invisible character, U+{ord(char):04X} {unicodedata.name(char, '(control)')}"


def diagnostic_phrases(text: str) -> list[str]:
    """The diagnostic phrases found in `text` (empty when it is fine), as they read once normalised."""
    text = normalised(text)
    lower = _lower_in_place(text)
    found = list(_ANYWHERE.finditer(lower))
    if _SAYS_YOU.search(lower):
        found += _ABOUT_YOU.finditer(lower)
    phrases, end = [], 0
    for match in sorted(found, key=lambda m: (m.start(), -m.end())):  # in reading order, overlaps once
        if match.start() >= end:
            phrases.append(text[match.start():match.end()])  # as written, not lower-cased
            end = match.end()
    return phrases


def _lower_in_place(text: str) -> str:
    """`text` in lower case, each character where it was (the few whose lower case is longer, such as 'İ', are
    left as they are), so that a match in it is the same span of `text`."""
    if text.isascii():
        return text.lower()
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


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
