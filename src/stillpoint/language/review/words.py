"""The words the review listens for, as lemmas (and the odd inflected form a lemmatizer leaves as it is).

Each set serves one question a rule asks of a sentence; docs/script-format.md, *Reviewing a script*, says why.
"""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """A set of words written one after another."""
    return frozenset(text.split())


# ---------------------------------------------------------------- what makes a sentence an invitation

SOFTENERS = words("if may might perhaps maybe could can whenever welcome invite invitation choose choice option "
                  "prefer rather ready free or comfortable comfortably okay ok whichever")
LEADING = words("now just simply and so then please gently slowly softly again first next also quietly calmly "
                "very okay ok alright well finally , ; : ... \u2026 \u2014 \u2013 -")
NEGATORS = words("not never no nothing nobody none")

# ---------------------------------------------------------------- orders

OBLIGATION_SKIP = NEGATORS | words("if whenever when as unless until what whatever")
IMPORTANT = words("important essential crucial vital necessary")
OBLIGING = words("must should have has need needs got want like") | IMPORTANT
NARROWING = words("only nothing")
ADDRESSED = words("you we yourself i one")
SPEAKERS = words("i we would")  # I want you to, we need you to, I would like you to
CLAUSE_BREAKS = words(", ; : and so then but")
ORDER_VERBS = words("close shut keep stay remain sit lie hold breathe inhale exhale focus concentrate relax")
MODALS = words("must should may")
NEGATIVE_VERBS = words("move open stop fidget leave get look peek speak talk let think resist fight scratch shift "
                       "wriggle wiggle react stir")
MIND_VERBS = words("let think")
WITHOUT_VERBS = words("move moving fidget fidgeting stir stirring shift shifting")
PRONOUNS = words("you i we they he she one")
ATTENTION = words("breath breathe breathing focus attention attend think notice concentrate aware awareness mind")
EYES = words("eye eyes eyelid eyelids")
CLOSE = words("close closed closing closes shut shutting")
BREATH_VERBS = words("breathe inhale exhale")
BREATHS = words("breath breaths")
KEEP_OBJECTS = words("still eye eyes eyelid body breath breathing attention focus mind gaze closed shut motionless "
                     "quiet silent")
HOLD_OBJECTS = words("breath still position posture pose")
STAY_OBJECTS = words("still motionless seated put focused frozen here silent")
HARD_THINGS = words("pain discomfort hurt fear sensation sensations ache difficulty panic")
SIT_OBJECTS = words("still motionless perfectly without")
RELAX_ALONE = words("relax just completely fully totally deeply now")

# ---------------------------------------------------------------- the eyes

OPEN_CHOICE = words("or if can may prefer rather welcome free whichever either keep leave stay remain half choose "
                    "like")
GAZE = words("gaze downward half-open")
LOOK_DOWN = words("down floor ground spot")

# ---------------------------------------------------------------- anchors

BREATH = words("breath breaths breathe breathing inhale inhaling exhale exhaling in-breath out-breath inhalation "
               "exhalation")
ANCHORS = words("sound sounds hear hearing listen noise foot feet toe toes hand hands finger fingers palm palms seat "
                "chair cushion floor ground bed support supported weight contact touch room skin leg legs sole soles "
                "object surface earth")
RETURNING = words("back return open wiggle stretch")

# ---------------------------------------------------------------- harrowing subjects, by what a content note says

SUBJECTS_OF = {
    "abuse": words("abuse abused abusive abuser abusers molest molested molestation incest"),
    "sexual assault": words("rape raped rapist"),
    "assault": words("assault assaulted"),
    "violence": words("violence violent beat beaten beating attack attacked stab stabbed shooting gun weapon murder "
                      "murdered kill killed torture tortured kidnap kidnapped hostage bully bullied bullying"),
    "war": words("war wars bomb bombing bombs combat"),
    "death": words("death die died dying dead funeral corpse bereavement bereaved deceased"),
    "suicide": words("suicide suicidal overdose"),
    "self-harm": words("self-harm self-harming self-injury"),
    "an accident": words("accident crash"),
    "serious illness": words("cancer terminal"),
    "pregnancy loss": words("miscarriage stillbirth"),
}
HARROWING = frozenset().union(*SUBJECTS_OF.values())
NOT_DYING = words("down away out off")  # the sound dies away, the wind dies down
NOT_VIOLENT = words("heart heartbeat drum pulse rhythm panic")  # a heart beating, a panic attack
REFLEXIVE = words("yourself myself themselves himself herself ourselves")
SELF_HARM_VERBS = words("hurt harm cut")
SUICIDE_PHRASES = ((words("kill killing killed"), REFLEXIVE), (words("end ending ended"), words("life")),
                   (words("take taking took"), words("own")))
HARROWING_PHRASES = frozenset().union(*(verbs for verbs, _ in SUICIDE_PHRASES)) | SELF_HARM_VERBS | words("pass passed")

# ---------------------------------------------------------------- leaving the body

DRIFT = words("float drift rise step slip leave go travel move lift hover fly soar get")
OUT = words("out above outside beyond away")
SELF = words("body yourself self skin")
LEAVE_BODY = words("leave lose forget shed abandon")
BODY = words("body bodies")
WATCH = words("watch see look observe view")
FAR = words("above outside distance ceiling afar far")
VANISH = words("dissolve disappear vanish evaporate melt")
WITHOUT_BODY = words("no without")
GO_FAR = words("go drift float travel escape fly")
FAR_AWAY = words("far away distant")
STAY_AWAY = words("stay remain never")

# ---------------------------------------------------------------- a way back before a silence

EXITS = words("open stop pause move return back leave end break shift")
PERMITS = words("can may free whenever anytime any need want wish welcome allowed if")

# ---------------------------------------------------------------- promises

PROMISE_VERBS = words("feel be become find experience notice sleep fall relax heal forget lose discover wake awaken "
                      "achieve reach get have never always start")
NOT_PROMISED = words("free guided asked invited led hear")
ABSOLUTES = words("completely totally perfectly entirely fully absolutely utterly")
STATES = words("relaxed calm safe peaceful peace healed free gone clear empty serene rested released content happy "
               "better whole stress-free tension-free refreshed renewed")
OUTCOMES = words("work works help helps calm relax heal melt disappear vanish fade better peace peaceful sleep succeed "
                 "fix cure")
HEDGES = words("may might can often sometimes perhaps maybe if could")
CURES = words("cure heal fix eliminate erase banish overcome")
TROUBLES = words("anxiety stress depression trauma pain insomnia worry worries fear panic ptsd grief tension")
FADING = words("disappear vanish melt dissolve")
GONE = words("gone over")
THINGS_PROMISED = words("this it practice meditation recording exercise session")
GUARANTEES = words("guarantee guaranteed guarantees")

# ---------------------------------------------------------------- endings

RETURN_CUES = words("room surroundings foot feet floor ground chair seat body hand hands finger fingers toe toes move "
                    "movement stretch wiggle open gaze look sound sounds hear return back day")
SLEEPY = ("sleep", "bedtime", "nap")
