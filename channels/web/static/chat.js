// Layer8 web chat: sign in with a token, stream replies (SSE over fetch), press a pending action's buttons,
// and show what a support agent writes into a handed-off thread (fetched every few seconds: web has no push).
// Everything a person or the server wrote is shown with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const store = window.sessionStorage;
let token = store.getItem("layer8.token");
let thread = store.getItem("layer8.thread");
if (!thread) {
  thread = "t" + Math.random().toString(36).slice(2, 12);
  store.setItem("layer8.thread", thread);
}

const POLL_MS = 4000;
let seen = null; // the newest message of this thread the page knows about (its seq)
let poller = null;

async function poll() {
  if (!token) return;
  const query = "?thread=" + encodeURIComponent(thread) + "&after=" + (seen === null ? 0 : seen);
  const response = await fetch("/v1/chat/messages" + query, { headers: headers() }).catch(() => null);
  if (!response || !response.ok) return;
  const body = await response.json();
  if (seen !== null) {
    for (const m of body.messages) if (m.role === "agent") bubble("agent", "Support team: " + m.text);
  }
  seen = Math.max(seen === null ? 0 : seen, body.last_seq);
}

function headers() {
  return { "Authorization": "Bearer " + token, "Content-Type": "application/json" };
}

async function signIn(candidate) {
  const response = await fetch("/v1/me", { headers: { "Authorization": "Bearer " + candidate } });
  if (!response.ok) throw new Error("That token was not accepted.");
  const me = await response.json();
  if (me.role !== "subscriber") throw new Error("Web chat needs a subscriber token.");
  token = candidate;
  store.setItem("layer8.token", token);
  const name = me.subscriber && me.subscriber.business_name ? me.subscriber.business_name : me.subscriber_id;
  $("who").textContent = "Signed in as " + name;
  $("sign-in-form").hidden = true;
  $("chat").hidden = false;
  $("sign-out").hidden = false;
  $("message").focus();
  seen = null;
  clearInterval(poller);
  await poll();
  poller = setInterval(poll, POLL_MS);
}

function signOut() {
  store.removeItem("layer8.token");
  token = null;
  clearInterval(poller);
  $("chat").hidden = true;
  $("sign-out").hidden = true;
  $("sign-in-form").hidden = false;
  $("who").textContent = "";
  $("messages").replaceChildren();
}

function bubble(role, text) {
  const item = document.createElement("li");
  item.className = "msg " + role;
  const body = document.createElement("div");
  body.className = "text";
  body.textContent = text;
  item.appendChild(body);
  $("messages").appendChild(item);
  item.scrollIntoView({ block: "end" });
  return item;
}

function showReply(item, reply) {
  item.querySelector(".text").textContent = reply.reply;
  item.dataset.messageId = reply.message_id || "";
  if (reply.error_code) item.classList.add("error");
  if (reply.items && reply.items.length) {
    const list = document.createElement("ul");
    list.className = "items";
    for (const entry of reply.items) {
      const li = document.createElement("li");
      li.textContent = entry.description ? entry.title + " — " + entry.description : entry.title;
      list.appendChild(li);
    }
    item.appendChild(list);
  }
  if (reply.buttons && reply.buttons.length) {
    const row = document.createElement("div");
    row.className = "actions";
    for (const b of reply.buttons) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "action " + (b.style || "default");
      button.textContent = b.label;
      button.dataset.action = b.action;
      button.addEventListener("click", () => {
        row.querySelectorAll("button").forEach((x) => { x.disabled = true; });
        send({ action: b.action }, b.label);
      });
      row.appendChild(button);
    }
    item.appendChild(row);
  }
  if (reply.message_id) item.appendChild(feedbackRow(reply.message_id));
}

function feedbackRow(messageId) {
  const row = document.createElement("div");
  row.className = "feedback";
  for (const [label, score] of [["👍", 1], ["👎", -1]]) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.setAttribute("aria-label", score > 0 ? "Helpful" : "Not helpful");
    button.addEventListener("click", async () => {
      row.querySelectorAll("button").forEach((x) => { x.disabled = true; });
      await fetch("/v1/chat/feedback", {
        method: "POST", headers: headers(), body: JSON.stringify({ message_id: messageId, score }),
      });
    });
    row.appendChild(button);
  }
  return row;
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
  bubble("user", shownText);
  const item = bubble("assistant", "…");
  const sendButton = $("send");
  sendButton.disabled = true;
  try {
    const response = await fetch("/v1/chat/stream", {
      method: "POST", headers: headers(), body: JSON.stringify({ ...payload, thread }),
    });
    if (response.status === 401) { signOut(); return; }
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      item.classList.add("error");
      item.querySelector(".text").textContent = problem.detail || "Something went wrong.";
      return;
    }
    let text = "";
    for await (const { event, data } of sseEvents(response)) {
      if (event === "delta") {
        text += data.text;
        item.querySelector(".text").textContent = text;
      } else if (event === "reply") {
        showReply(item, data);
      }
    }
  } catch (error) {
    item.classList.add("error");
    item.querySelector(".text").textContent = "The connection was lost. Please try again.";
  } finally {
    sendButton.disabled = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("sign-in-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("sign-in-error");
    error.hidden = true;
    try {
      await signIn($("token").value.trim());
      $("token").value = "";
    } catch (problem) {
      error.textContent = problem.message;
      error.hidden = false;
    }
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("message").value.trim();
    if (!text) return;
    $("message").value = "";
    send({ message: text }, text);
  });
  $("message").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("sign-out").addEventListener("click", signOut);
  if (token) signIn(token).catch(signOut);
});
