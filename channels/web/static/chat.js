// Layer8 web chat. Sign in with a one-time code (typed, or in a sign-in link's #code= fragment) that the
// server turns into a session cookie shared by every tab; redraw the conversation on load, with the Confirm
// buttons still waiting for an answer; stream replies (SSE over fetch), one turn at a time; show suggested
// introductions as cards; fetch what a support agent writes into a handed-off thread every few seconds; show
// the digest when one is due (digest.js).
// Everything a person or the server wrote is shown with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const THREAD = "main";
const POLL_MS = 4000;
const DRAFT = "layer8.draft";
const DISMISSED = "layer8.dismissed";
const JSON_HEADERS = { "Content-Type": "application/json" };
const SVG = "http://www.w3.org/2000/svg";
const THUMBS = {
  up: "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z",
  down: "M15 3H6c-.83 0-1.54.5-1.84 1.22l-3.02 7.05c-.09.23-.14.47-.14.73v2c0 1.1.9 2 2 2h6.31l-.95 4.57-.03.32c0 .41.17.79.44 1.06L9.83 23l6.59-6.59c.36-.36.58-.86.58-1.41V5c0-1.1-.9-2-2-2zm4 0v12h4V3h-4z",
};

let signedIn = false;
let busy = false; // a turn is on its way: nothing else is sent until it ends
let seen = null; // the newest message of this thread the page knows about (its seq)
let poller = null;
let expiry = null;
let stick = true; // the view follows the newest message unless the person scrolled up to read

// ---- signing in and out

function api(path, options) {
  return fetch(path, { credentials: "same-origin", ...(options || {}) });
}

async function problemText(response, fallback) {
  const problem = await response.json().catch(() => ({}));
  return problem.detail || fallback;
}

async function start() {
  const linked = /^#code=([A-Za-z0-9-]{8,12})$/.exec(window.location.hash);
  if (linked) {
    // the code rode in the fragment (never sent to a server); forget it before using it
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    try {
      await redeem(linked[1]);
    } catch (problem) {
      showSignIn();
      showError(problem.message);
    }
    return;
  }
  const response = await api("/v1/chat/session").catch(() => null);
  if (response && response.ok) await enter(await response.json());
  else showSignIn();
}

async function redeem(code) {
  const response = await api("/v1/chat/session", {
    method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ code }),
  });
  if (!response.ok) throw new Error(await problemText(response, "That code was not accepted."));
  await enter(await response.json());
}

async function enter(me) {
  signedIn = true;
  $("who").textContent = "Signed in as " + (me.business_name || me.subscriber_id);
  const draft = window.sessionStorage.getItem(DRAFT);
  if (draft && !$("message").value) $("message").value = draft;
  clearTimeout(expiry);
  const left = me.expires_at ? Date.parse(me.expires_at) - Date.now() : NaN;
  if (left > 0 && left < 2 ** 31) expiry = setTimeout(sessionEnded, left + 1000);
  await loadHistory(); // before the composer shows: a turn sent meanwhile would be wiped by the redraw
  if (!signedIn) return;
  $("sign-in").hidden = true;
  $("chat").hidden = false;
  $("sign-out").hidden = false;
  follow(true);
  $("message").focus();
  clearInterval(poller);
  poller = setInterval(poll, POLL_MS);
  await showDigest(); // digest.js
}

function showSignIn(note) {
  signedIn = false;
  clearInterval(poller);
  clearTimeout(expiry);
  $("chat").hidden = true;
  $("sign-out").hidden = true;
  $("sign-in").hidden = false;
  $("who").textContent = "";
  $("sign-in-note").textContent = note || "";
  $("sign-in-note").hidden = !note;
  $("code").focus();
}

function showError(text) {
  $("sign-in-error").textContent = text;
  $("sign-in-error").hidden = false;
}

function sessionEnded() {
  if (!signedIn) return;
  window.sessionStorage.setItem(DRAFT, $("message").value);
  showSignIn("Your session has ended. Sign in again; what you typed is kept.");
}

async function signOut() {
  await api("/v1/chat/session", { method: "DELETE" }).catch(() => null);
  window.sessionStorage.removeItem(DRAFT);
  $("message").value = "";
  $("messages").replaceChildren();
  showSignIn();
}

// ---- the conversation

async function loadHistory() {
  const response = await api("/v1/chat/messages?thread=" + THREAD).catch(() => null);
  if (!response) return;
  if (response.status === 401) return sessionEnded();
  if (!response.ok) return;
  const body = await response.json();
  $("messages").replaceChildren();
  for (const m of body.messages) drawStored(m);
  seen = body.last_seq;
  follow(true);
}

function drawStored(m) {
  if (m.role === "user") bubble("user", m.text);
  else if (m.role === "agent") bubble("agent", "Support team: " + m.text);
  else showReply(bubble("assistant", ""), { ...m, reply: m.text });
}

async function poll() {
  if (!signedIn || seen === null) return;
  const query = "?thread=" + THREAD + "&after=" + seen;
  const response = await api("/v1/chat/messages" + query).catch(() => null);
  if (!response) return;
  if (response.status === 401) return sessionEnded();
  if (!response.ok) return;
  const body = await response.json();
  for (const m of body.messages) if (m.role === "agent") bubble("agent", "Support team: " + m.text);
  seen = Math.max(seen, body.last_seq);
}

function bubble(role, text) {
  const item = document.createElement("li");
  item.className = "msg " + role;
  const body = document.createElement("div");
  body.className = "text";
  body.textContent = text;
  item.appendChild(body);
  $("messages").appendChild(item);
  follow();
  return item;
}

function follow(force) {
  if (force) stick = true;
  if (stick) $("scroller").scrollTop = $("scroller").scrollHeight;
}

// "[cash-flow#late-payers]" → "Cash flow › Late payers": where advice comes from, in words. The reply
// keeps the citation itself (the API, the evals and the other channels read it).
function readable(text) {
  const words = (slug) => slug.charAt(0).toUpperCase() + slug.slice(1).replace(/-/g, " ");
  return (text || "").replace(/\[([a-z0-9-]+)#([a-z0-9-]+?)(?:-part-\d+)?\]/g,
    (_, doc, section) => words(doc) + " › " + words(section));
}

function showReply(item, reply) {
  item.querySelector(".text").textContent = readable(reply.reply);
  if (reply.error_code) item.classList.add("error");
  const items = reply.items || [];
  const people = items.filter((entry) => entry.id && entry.id.startsWith("sub_"));
  if (people.length) item.appendChild(suggestionCards(people));
  else if (items.length) item.appendChild(plainList(items));
  if (reply.buttons && reply.buttons.length) item.appendChild(actionRow(reply.buttons));
  if (reply.message_id) item.appendChild(feedbackRow(reply.message_id, reply.feedback));
  follow();
}

function button(label, className, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = className;
  element.textContent = label;
  element.addEventListener("click", onClick);
  return element;
}

// ``extra``: more to send with the pressed button's action (the digest it was on)
function actionRow(buttons, extra) {
  const row = document.createElement("div");
  row.className = "actions";
  for (const b of buttons) {
    const element = button(b.label, "action " + (b.style || "default"), () => {
      if (busy) return;
      row.querySelectorAll("button").forEach((x) => { x.disabled = true; });
      send({ action: b.action, ...(extra || {}) }, b.label);
    });
    element.dataset.action = b.action;
    row.appendChild(element);
  }
  const rsvp = buttons.find((b) => b.action.startsWith("rsvp:") && b.action.endsWith(":yes"));
  if (rsvp) row.appendChild(calendarLink(rsvp.action.split(":")[1]));
  return row;
}

// an invitation's calendar file, with the chat's own session (GET /v1/chat/events/{id}/calendar.ics)
function calendarLink(eventId) {
  const link = document.createElement("a");
  link.className = "calendar";
  link.href = "/v1/chat/events/" + encodeURIComponent(eventId) + "/calendar.ics";
  link.download = eventId + ".ics";
  link.textContent = "Add to calendar";
  return link;
}

function plainList(items) {
  const list = document.createElement("ul");
  list.className = "items";
  for (const entry of items) {
    const li = document.createElement("li");
    li.textContent = entry.description ? entry.title + " — " + entry.description : entry.title;
    list.appendChild(li);
  }
  return list;
}

function dismissed() {
  try {
    return new Set(JSON.parse(window.localStorage.getItem(DISMISSED) || "[]"));
  } catch (error) {
    return new Set();
  }
}

function suggestionCards(items) {
  const box = document.createElement("div");
  box.className = "suggestions";
  box.setAttribute("role", "list");
  const hidden = dismissed();
  for (const entry of items) {
    const card = document.createElement("article");
    card.className = "suggestion";
    card.setAttribute("role", "listitem");
    if (hidden.has(entry.id)) notNow(card, entry);
    else fillCard(card, entry);
    box.appendChild(card);
  }
  return box;
}

function fillCard(card, entry) {
  const title = document.createElement("h3");
  title.textContent = entry.title;
  card.appendChild(title);
  if (entry.description) {
    const why = document.createElement("p");
    why.textContent = entry.description;
    card.appendChild(why);
  }
  const row = document.createElement("div");
  row.className = "actions";
  const ask = "Introduce me to " + entry.title;
  row.appendChild(button("Introduce", "primary introduce", () => {
    if (busy) return;
    row.querySelectorAll("button").forEach((x) => { x.disabled = true; });
    send({ message: ask }, ask);
  }));
  row.appendChild(button("Not now", "not-now", () => {
    const hidden = dismissed();
    hidden.add(entry.id);
    window.localStorage.setItem(DISMISSED, JSON.stringify([...hidden].slice(-200)));
    card.replaceChildren();
    notNow(card, entry);
  }));
  card.appendChild(row);
}

function notNow(card, entry) {
  card.classList.add("dismissed");
  card.textContent = "Not now: " + entry.title;
}

function thumb(direction) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", THUMBS[direction]);
  path.setAttribute("fill", "currentColor");
  svg.appendChild(path);
  return svg;
}

function feedbackRow(messageId, chosen) {
  const row = document.createElement("div");
  row.className = "feedback";
  const thanks = document.createElement("span");
  thanks.className = "thanks";
  thanks.setAttribute("role", "status");
  const choices = [];
  for (const [direction, score, label] of [["up", 1, "Helpful"], ["down", -1, "Not helpful"]]) {
    const element = button("", "rate " + direction, async () => {
      const response = await api("/v1/chat/feedback", {
        method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ message_id: messageId, score }),
      }).catch(() => null);
      if (response && response.status === 401) return sessionEnded();
      if (!response || !response.ok) return;
      for (const other of choices) other.setAttribute("aria-pressed", String(other === element));
      thanks.textContent = "Thanks for the feedback.";
    });
    element.appendChild(thumb(direction));
    element.setAttribute("aria-label", label);
    element.setAttribute("title", label);
    element.setAttribute("aria-pressed", String(chosen === score));
    choices.push(element);
    row.appendChild(element);
  }
  row.appendChild(thanks);
  return row;
}

// ---- one turn

function setBusy(on) {
  busy = on;
  $("send").disabled = on;
  $("messages").setAttribute("aria-busy", String(on));
  $("typing").hidden = !on;
  follow();
}

// Parse "event: x\ndata: {...}\n\n" blocks from a streamed body.
async function* sseEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      yield { event, data: data ? JSON.parse(data) : null };
    }
  }
}

async function send(payload, shownText) {
  if (busy || !signedIn) return;
  setBusy(true);
  follow(true);
  const mine = bubble("user", shownText);
  const item = bubble("assistant", "");
  item.hidden = true; // the typing indicator stands in until the first words arrive
  try {
    const response = await api("/v1/chat/stream", {
      method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ ...payload, thread: THREAD }),
    });
    if (response.status === 401) {
      mine.remove();
      item.remove();
      if (payload.message) keepTyped(payload.message);
      sessionEnded();
      return;
    }
    if (!response.ok) {
      item.hidden = false;
      item.classList.add("error");
      item.querySelector(".text").textContent = await problemText(response, "Something went wrong.");
      return;
    }
    window.sessionStorage.removeItem(DRAFT);
    let text = "";
    for await (const { event, data } of sseEvents(response)) {
      item.hidden = false;
      if (event === "delta") {
        text += data.text;
        item.querySelector(".text").textContent = readable(text);
        follow();
      } else if (event === "reply") {
        showReply(item, data);
      }
    }
    if (item.hidden) throw new Error("the reply ended without an answer");
  } catch (error) {
    item.hidden = false;
    item.classList.add("error");
    item.querySelector(".text").textContent = "The connection was lost. Please try again.";
  } finally {
    setBusy(false);
  }
}

function keepTyped(text) {
  const now = $("message").value;
  $("message").value = now ? text + "\n" + now : text;
}

// ---- wiring

document.addEventListener("DOMContentLoaded", () => {
  $("scroller").addEventListener("scroll", () => {
    const box = $("scroller");
    stick = box.scrollHeight - box.scrollTop - box.clientHeight < 48;
  });
  new ResizeObserver(() => follow()).observe($("messages"));
  window.addEventListener("resize", () => follow());
  $("sign-in-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("sign-in-error").hidden = true;
    try {
      await redeem($("code").value.trim());
      $("code").value = "";
    } catch (problem) {
      showError(problem.message);
    }
  });
  $("send-code-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = $("send-code-status");
    $("send-code").disabled = true;
    const response = await api("/v1/chat/session/code", {
      method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ phone: $("phone").value.trim() }),
    }).catch(() => null);
    status.textContent = response && response.ok
      ? (await response.json()).detail
      : (response ? await problemText(response, "That did not work.") : "The connection was lost.");
    status.hidden = false;
    setTimeout(() => { $("send-code").disabled = false; }, 30000);
    $("code").focus();
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    if (busy) return; // one turn at a time: the text stays where it is
    const text = $("message").value.trim();
    if (!text) return;
    $("message").value = "";
    send({ message: text }, text);
  });
  $("message").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (!busy) $("composer").requestSubmit();
    }
  });
  $("message").addEventListener("input", () => {
    window.sessionStorage.setItem(DRAFT, $("message").value);
  });
  $("sign-out").addEventListener("click", signOut);
  start();
});
