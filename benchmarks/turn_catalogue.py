"""The turns `benchmarks/turn_latency.py` sends, by kind, and what its table's columns mean: the same
30 messages in every run, so runs on different days and machines compare."""

from __future__ import annotations

KINDS = ("first", "action", "advice", "chat", "new")
DEFINITIONS = {
    "reference_s": "seconds a 100-token prompt plus 20 generated tokens take at the raw speed: "
    "100 / prompt_tokens_per_s + 20 / generated_tokens_per_s, each the best over --raw-threads",
    "ratio_p50": "p50 seconds / reference_s (1.0 = a turn costs what 100 prompt + 20 generated tokens cost)",
    "prompt_tokens_p50": "p50 seconds × best raw prompt tokens/s: the prompt length that takes that long",
    "first_words_s": "advice only: seconds until the first non-blank streamed delta (or the reply, if none)",
    "failed": "turns answered with an error code (e.g. model_timeout) or a non-200 status",
    "reply_flags": "replies the reply check (evals/reply_check.py) flags",
    "time_to_ready_s": "from starting `layer8 serve` until /healthz answers 200 and, when it reports the "
    "model, reports it ready",
}
FIRST = "Can you introduce me to someone who could help with marketing?"
ACTION = (
    "I referred Jane Patel to {0} for a website redesign, please log it.",
    "We closed a £2,400 deal with {1} thanks to their referral. Please record it.",
    "Please introduce me to {2}.",
    "We now employ 14 people, please update my profile.",
    "How is my network doing?",
    "Can you find me a reliable accountant?",
    "What's on my profile?",
    "I passed a lead to {3}: Sam's Cafe needs catering for a party. Log that please.",
    "We also do wedding cakes now.",
    "I'd like to speak to a real person please.",
    "Show me my referrals and deals.",
)
ADVICE = (
    "Business is slow on weekday afternoons. What could I do about it?",
    "Customers keep paying me late and cash is tight. What should I do?",
    "How can I get more repeat customers?",
    "My staff costs are too high for the work we have. Any advice?",
    "How do I price a big catering order without losing money?",
    "Cold calling stopped working. How else can I find new customers?",
)
CHAT = (
    "Hello!",
    "Thanks, that's helpful.",
    "What's the capital of Australia?",
    "Are you a robot?",
    "Good morning, how are you today?",
    "Which football team do you support?",
)
NEW = (
    ("Crumb & Co", "Hi, I run a small bakery in Leeds and want more customers."),
    ("Bradford Pipes", "We're a two-person plumbing firm in Bradford. Can you help us find work?"),
    ("Wick & Wax", "Hi! I make handmade candles and sell them online."),
    ("Harbour Books", "Hello, I'm new here. What is this?"),
    ("Kestrel Cleaning", "Can you introduce me to a good accountant?"),
)
