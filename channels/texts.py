"""Every fixed sentence the channels say to a person (the assistant's own sentences are in
``tools/phrases.py``). Short, polite, and never an id a person cannot use."""

from __future__ import annotations

LINKED = "Thanks — this chat is now linked to {business}. How can I help your business today?"
LINK_CODE_INVALID = (
    "That link code is not valid, has expired or was already used. "
    "Ask your operator or support agent for a new one."
)
ALREADY_LINKED = "This chat is already linked to your business account."
TOO_MANY_TURNS = (
    "You've sent a lot of messages in a short time. Please wait {seconds} seconds before the next one."
)
BUSY = "I'm handling a lot of conversations right now. Please send your message again in a minute."
WORKING = "Working on it…"
# after a queued turn met a database outage at every attempt (about half a minute): the message was not lost
# silently, and sending it again is what helps
RECORDS_UNREACHABLE = (
    "Sorry, I couldn't answer your message: my records are unreachable just now. "
    "Please send it again in a few minutes."
)
UNSUPPORTED_COMMAND = "I don't know that command. Try `/layer8 help`."
SLASH_HELP = (
    "*Layer8* — your business networking assistant.\n"
    "• Message me directly, or mention me in a channel thread.\n"
    "• `/layer8 profile` — your business profile (only you see it)\n"
    "• `/layer8 matches` — businesses I suggest you meet\n"
    "• `/layer8 referrals` — referrals you gave and received\n"
    "• `/layer8 signin` — a one-time code to sign in to the web chat\n"
    "• `/layer8 link CODE` — link this Slack account with the code from your operator"
)
NO_PROFILE = "You have no profile yet. Tell me about your business in a direct message and I'll build it."
PROFILE_HEADER = "Your profile ({business}):"
NO_MATCHES = "No suggestions right now. Tell me what your business needs and I'll look again."
MATCHES_HEADER = "Businesses you could meet:"
NO_REFERRALS = "No referrals yet. Tell me when you refer someone and I'll log it."
REFERRALS_HEADER = "Your referrals:"
REFERRAL_GAVE = "To {other}{prospect} — {state}"
REFERRAL_RECEIVED = "From {other}{prospect} — {state}"
INTRO_REQUEST = (
    "{requester} would like to be introduced to you. Accept to share contact details with each other."
)
PARTNER_LEFT = (
    "{business} has left the network, so what was open between you (an introduction or a referral) "
    "is withdrawn. Ask me for new suggestions any time."
)
DONE_BY = "{label} — chosen by {user}"
AGENT_REPLY = "Support team: {text}"
TEMPLATE_MISSING = "no approved template for {purpose}: not sent outside the 24-hour window"
WEB_SIGN_IN_NEEDED = "a subscriber token is needed for web chat"
SIGN_IN_CODE = (
    "Your Layer8 web chat sign-in code is {code}. It works once, for {minutes} minutes: "
    "type it on the web chat's sign-in page. If you did not ask for it, ignore this message: "
    "nobody can use it without this chat."
)
SIGN_IN_CODE_SENT = (
    "If that number belongs to a business with a linked WhatsApp or Slack chat, a sign-in code is on its way "
    "there. It works once, for {minutes} minutes."
)
SIGN_IN_CODE_INVALID = (
    "That code is not valid: it may be mistyped, already used or expired. Ask for a new one."
)
SIGN_IN_REQUIRED = "Please sign in to the web chat."
DIGEST_HEADER = "What's new in your network since last time:"
CALENDAR_LINK = "Add it to your calendar: {url}"
DIGEST_FOOTER = 'Reply here to act on any of it, or say "stop the digest" to get no more of these.'
# the NPS scale as a WhatsApp list (channels/whatsapp/render.py): ten rows, so 0 and 1 share the first
NPS_ROW_LOWEST = "0 or 1"
NPS_ROW_LOW_END = "Not at all likely"
NPS_ROW_HIGH_END = "Extremely likely"
NPS_LIST_BUTTON = "Choose a score"
