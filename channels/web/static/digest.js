// The digest in the web chat, which has no push: when the chat opens, ask for what is new since the last
// digest (POST /v1/chat/digest; 204 when nothing is, or it is not due) and show it as a card at the end of
// the conversation. The server records it as opened as it answers; a button pressed on the card sends the
// digest's id with the action, which records it as acted on. Everything is shown with textContent.
"use strict";

async function showDigest() {
  const response = await api("/v1/chat/digest", { method: "POST" }).catch(() => null);
  if (!response || response.status !== 200) return;
  const card = await response.json();
  const item = document.createElement("li");
  item.className = "msg digest";
  item.setAttribute("aria-label", "Your digest");
  const title = document.createElement("h2");
  title.textContent = card.header;
  const lines = document.createElement("ul");
  for (const text of card.lines) {
    const line = document.createElement("li");
    line.textContent = text;
    lines.appendChild(line);
  }
  const footer = document.createElement("p");
  footer.className = "hint";
  footer.textContent = card.footer;
  item.append(title, lines, footer);
  if (card.buttons.length) item.appendChild(actionRow(card.buttons, { digest: card.digest }));
  $("messages").appendChild(item);
  follow(true);
}
