"""Every fixed sentence the assistant says to a person, in one place (errors, reasons, confirmations).

Prompt text for the model lives in ``prompts/``; these are the server's own words, shown without a model.
Keep them short, polite and free of ids a person cannot use.
"""

from __future__ import annotations

NOT_LINKED = (
    "I don't know which business this account belongs to yet, so I can't look at any records. "
    "Ask your operator or support agent for a one-time link code and send it here to link this chat."
)
UNKNOWN_SUBSCRIBER = "I can't find an active business account for this chat. Please contact support."
HANDED_OFF = (
    "A member of our support team is looking after this conversation and will reply here. "
    "Your message has been passed on."
)
HANDOFF_DONE = "I've passed this conversation to a member of our support team; they will reply here."
EMPTY_MESSAGE = "I didn't catch any text. What can I help you with?"
TOO_LONG = "That message is too long for me. Could you say it in fewer words?"
MODEL_TIMEOUT = (
    "Sorry, I'm taking too long to think this one through. Please try again in a moment, "
    "or say 'human' to reach our support team."
)
MODEL_ERROR = (
    "Sorry, something went wrong on my side and I couldn't answer. Nothing was changed. "
    "Please try again, or say 'human' to reach our support team."
)
MODEL_EMPTY = "Sorry, I couldn't put an answer together. Could you rephrase that?"
REFUSED = "Sorry, I can't help with that."
# in place of the model reading its instructions back on a message that needs no tool (assistant/shown.py)
NO_TOOL_NEEDED = (
    "I'm here whenever you need me: I can find businesses to introduce you to, log a referral or a deal, "
    "or help with a question about running your business."
)
# after what Layer8 does (prompts/reply_about.md): a new subscriber starts the profile interview
ABOUT_NEW = (
    "To get started, tell me in a sentence or two what your business does and what it needs most right now."
)
ABOUT_NEXT = "What would you like to start with?"
# for an e-mail or phone number the model wrote that nothing on record gave it (assistant/grounding.py)
CONTACT_NOT_ON_RECORD = (
    "[no contact details on record: they are shared only through an accepted introduction]"
)
STORAGE_ERROR = "Sorry, I couldn't save this conversation just now. Please try again in a moment."
# the server's apologies for its own failures: kept out of the model's view of the conversation
APOLOGIES = frozenset({MODEL_TIMEOUT, MODEL_ERROR, MODEL_EMPTY, STORAGE_ERROR})

# pending actions
CONFIRM_LABEL = "Confirm"
CANCEL_LABEL = "Cancel"
ACCEPT_LABEL = "Accept introduction"
DECLINE_LABEL = "Decline"
PLEASE_CONFIRM = "Please confirm: {summary}."
NOTHING_TO_CONFIRM = "There is nothing waiting for your confirmation right now."
ALREADY_DONE = "That was already confirmed earlier; nothing new was recorded."
ALREADY_CANCELLED = "That request was cancelled earlier, so there is nothing to confirm."
EXPIRED = "That request has expired. Ask me again if you still want it."
CANCELLED = "Cancelled. Nothing was changed."
ACTION_FAILED = "I couldn't complete that: {reason}"
NOT_YOURS = "That button isn't for you, so nothing was changed."
FEEDBACK_THANKS = "Thanks for the feedback."

# results of confirmed actions
DEAL_RECORDED = "Done: the deal of {amount} is recorded, and {giver} will be credited for the referral."
CONSENT_SAVED = "Your choices are saved: {choices}."
INTRO_REQUESTED = (
    "Done: I've asked {target} whether they'd like an introduction. "
    "I'll share contact details only if they accept."
)
INTRO_ACCEPTED = "You're connected with {other}. Their contact details: {card}"
INTRO_DECLINED = "Declined. {other} won't see any of your details."
PROFILE_CONFIRMED = "Your profile is saved."
REFERRAL_LOGGED = "Done: your referral of {prospect} to {receiver} is logged."
REFERRAL_UPDATED = "Done: the referral for {prospect} is now {state}."
PROFILE_REJECTED = "I've dropped those profile suggestions. Tell me what to change."
PROPOSED_PROFILE = "Here is your proposed profile:\n{fields}\nIs this right?"

# onboarding
CONSENT_QUESTION = (
    "One more thing before I look for introductions. May I (1) suggest your business to other businesses "
    "in the network that could work with you, and (2) pass on introduction requests from them? Nobody sees "
    "your phone number or e-mail unless you accept a specific introduction, and you can change this any time."
)
FIRST_INTRODUCTIONS = "You're all set. Here are your first suggested introductions:"
NO_INTRODUCTIONS_YET = (
    "You're all set. I have no strong matches yet; I'll let you know as soon as a good one joins."
)
ASK_FOR_INTRO_HINT = "Say 'introduce me to' and a business name when you'd like to meet one of them."
CONSENT_WITHHELD = (
    "Understood: you won't be suggested to others and won't receive introduction requests. "
    "You can still ask me questions and find businesses yourself."
)

# consent in plain words (for summaries)
CONSENT_WORDS = {
    "discoverable": "be suggested to other businesses",
    "contactable": "receive introduction requests",
}

# error codes from network.errors, in words a person understands
ERROR_WORDS = {
    "not_found": "I couldn't find that.",
    "consent_required": "that needs the other side's permission first.",
    "conflict": "that already exists or is already in progress.",
    "illegal_transition": "that step isn't possible from where things stand.",
    "invalid_input": "some details weren't right.",
    "invalid_amount": "the amount wasn't a valid sum of money.",
    "unknown_currency": "I don't know that currency.",
    "self_referral": "a referral has to go to another business.",
    "idempotency_conflict": "that request was already used for something else.",
    "forbidden": "you're not allowed to do that.",
}


def and_list(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def error_words(code: str) -> str:
    return ERROR_WORDS.get(code, "something went wrong.")


# what a pending action asks the person to confirm
SUMMARY_DEAL = "record a deal of {amount} closed on {closed_on}, credited to {giver} for the referral"
SUMMARY_CONSENT = "let Layer8 {choices}"
SUMMARY_CONSENT_OFF = "stop letting Layer8 {choices}"
SUMMARY_INTRO_REQUEST = (
    "ask {target} for an introduction. If they accept, you will both see each other's contact details"
)
SUMMARY_SHARE_CONTACT = "accept the introduction with {other}. You will both see each other's contact details"
SUMMARY_PROFILE = "change your profile: {changes}"
PROFILE_CHANGE = "{field} “{before}” → “{after}”"
PROFILE_CHANGE_NEW = "{field} → “{after}”"
# what a profile change did, in the reply (tools/update_my_profile.py)
SAID_ADDED = "added “{added}” to your {field}"
SAID_SET = "set your {field} to “{after}”"
SAID_REPLACED = "changed your {field} from “{before}” to “{after}”"
SUMMARY_REFERRAL = "log a referral of {prospect} to {receiver}; they will see it"
SUMMARY_REFERRAL_UPDATE = "mark the referral for {prospect} as {state}"

# whether others can find the person (tools/get_my_profile.py)
VISIBLE = "Other businesses in the network can be shown your business as a suggestion."
NOT_VISIBLE = "Other businesses in the network are not shown your business as a suggestion."

# advice (tools/search_knowledge.py)
COULD_HELP = "Businesses in the network who could help with this: {businesses}. Ask me to introduce you."

# the network summary (tools/my_network.py)
NETWORK_NONE = "No {what} yet."
NETWORK_NOTHING = "No referrals, deals, credits or introductions yet."
NETWORK_REFERRALS = "Referrals {direction}: {n} ({states})"
NETWORK_DEALS = "Deals {role}: {n}, worth {total}"
NETWORK_CREDITS = "Your credits: {states}"
NETWORK_INTROS = "Introductions: {n} ({states})"
NETWORK_CONNECTED = "Connected with {business}: {details}"
# the person's traffic light (tools/standing.py); the rule is network/outcomes/lights.py
LIGHT_RULE = (
    "Over the last six months, each referral you give, each one-to-one (an introduction both sides "
    "accepted) and each event you check in at is 1 point; each deal you give or receive is 2. Green is "
    "{green} points or more, amber {amber}–{below}, red fewer than {amber}; grey for your first {new_days} "
    "days."
)
LIGHT_NEXT = "{points} would make it {colour}: {how}"
LIGHT_ONE_DEAL = (
    "a deal from a referral is worth 2; giving a referral, a one-to-one or checking in at an event, 1 each."
)
LIGHT_ONE_POINT = "give a referral, have a one-to-one or check in at an event."
LIGHT_GREEN = (
    "Green is the top colour. Points count for six months, so keep referring and meeting to stay green."
)
LIGHT_GREY = "It is too early to judge: your light gets its colour on {day}."

# reasons for a need-driven suggestion
REASON_OFFERS = "They offer “{offers}”, which matches what you asked for (“{need}”)."
REASON_SAME_PLACE = "They are in {place} too."
REASON_PLACE = "They are based in {place}."

# events (tools/find_events.py, tools/rsvp_event.py, the RSVP buttons)
GOING_LABEL = "Going"
NOT_GOING_LABEL = "Can't go"
EVENT_LINE = "{title} — {when}, {where}{answer}"
EVENT_ANSWER = " (you: {state})"
EVENT_MEET = "You'd meet {names}: {why}"
RSVP_GOING = "You're going to {title} on {when}. See you there! The check-in code is given at the door."
RSVP_WAITLISTED = "{title} is full, so you're on the waiting list. I'll tell you as soon as a seat frees up."
RSVP_DECLINED = "Thanks for letting me know: you're not going to {title}."
RSVP_CANCELLED = "Your seat at {title} is given up; the next person waiting gets it."
CHECKED_IN = "You're checked in at {title}. Enjoy it — I'll suggest people to follow up with afterwards."
WAITLIST_PROMOTED = "Good news: a seat freed up at {title} on {when}. You're going now."
EVENT_INVITED = "You're invited: {line}. Will you come?"
EVENT_REMINDER = (
    "Reminder — tomorrow: {line}. Still coming? Tap Can't go to free your seat for someone waiting."
)
ONE_TO_ONES = "Thanks for coming to {title}. Worth a one-to-one with:\n{lines}"
ONE_TO_ONES_HINT = (
    'Say "introduce me to" and a name: they are asked first, and contact details cross only if both '
    "of you agree. Either of you can suggest a time."
)
ONE_TO_ONE_LINE = "• {business}: {why}"
# times for a one-to-one: buttons offer three slots and "suggest another"; the other side accepts
MEET_PICK = "Pick a time for your one-to-one with {other} ({zone}):"
MEET_OTHER_SLOTS = "Other times for your one-to-one with {other} ({zone}):"
MEET_ANOTHER_LABEL = "Suggest another"
MEET_ACCEPT_LABEL = "Accept"
MEET_BUTTON_SHOWN = "A time for the one-to-one"  # how a pressed time button reads in the chat history
MEET_PROPOSED = "I've proposed {when} to {other}; I'll tell you when they answer."
MEET_PROPOSAL = "{other} proposes {when} for your one-to-one. Does it suit you?"
MEET_AGREED = "Agreed: your one-to-one with {other} is on {when}."
FOLLOW_UP = (
    "A week ago you met {other} after {title}. What came of it? If either of you passed on business, "
    "tell me and I'll log the referral."
)
# the NPS survey (assistant/nps.py): asked at most once a period, never in the middle of a flow
NPS_QUESTION = (
    "One quick question: how likely are you to recommend {operator} to another business owner? "
    "0 means not at all likely, 10 extremely likely."
)
NPS_REASON = "Thank you! What is the main reason for your score?"
NPS_SKIP_LABEL = "Skip"
NPS_LOWEST = "Is it 0 or 1?"
NPS_THANKS = "Thank you, that helps. If you meant to ask me something else, just send it again."
NPS_SKIPPED = "No problem. Thank you for the score."
NPS_ALREADY = "Thanks, your score is already recorded."
