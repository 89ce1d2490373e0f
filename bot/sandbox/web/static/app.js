// Report Desk sandbox page: draws the chats of the local Telegram and acts as a demo persona.
// Every message is built from its text and entities with DOM nodes and textContent; nothing a
// message says is ever parsed as HTML.
"use strict";

const state = {
  bot: null,
  personas: [],
  shared: [],
  samples: [],
  chats: new Map(), // chat id -> Map(message id -> view)
  me: null,
  sharedChat: null,
  replyTo: { private: null, shared: null },
  live: false,
};

const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---- entities -------------------------------------------------------------------------------

const SAFE_LINK = /^https?:\/\//i;

function entityNode(entity, content) {
  switch (entity.type) {
    case "bold": return el("b");
    case "italic": return el("i");
    case "underline": return el("u");
    case "strikethrough": return el("s");
    case "code": return el("code");
    case "pre": return el("pre");
    case "blockquote":
    case "expandable_blockquote": return el("blockquote");
    case "spoiler": {
      const node = el("span", "spoiler");
      node.title = "Spoiler: click to show";
      node.addEventListener("click", () => node.classList.add("open"));
      return node;
    }
    case "text_link":
    case "url": {
      const target = entity.type === "url" ? content : String(entity.url || "");
      const href = SAFE_LINK.test(target) ? target : entity.type === "url" ? "http://" + target : "";
      if (!href || !SAFE_LINK.test(href)) return el("span", "mention");
      const link = el("a");
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      return link;
    }
    case "text_mention": {
      const node = el("span", "mention");
      if (entity.user) node.title = "user " + entity.user.id;
      return node;
    }
    case "bot_command": {
      const node = el("span", "command");
      node.title = "Click to send";
      node.dataset.command = content;
      return node;
    }
    case "mention":
    case "hashtag":
    case "cashtag": return el("span", entity.type);
    default: return el("span");
  }
}

// Nested entities become nested nodes; offsets and lengths are UTF-16 units, as in JavaScript.
function appendFormatted(parent, text, start, end, entities) {
  let pos = start;
  let i = 0;
  while (i < entities.length) {
    const entity = entities[i];
    const from = Math.max(entity.offset, start);
    const to = Math.min(entity.offset + entity.length, end);
    if (from >= end) break;
    if (from < pos || to <= from) { i += 1; continue; }
    if (from > pos) parent.appendChild(document.createTextNode(text.slice(pos, from)));
    const inner = [];
    let j = i + 1;
    while (j < entities.length && entities[j].offset < to) { inner.push(entities[j]); j += 1; }
    const node = entityNode(entity, text.slice(from, to));
    appendFormatted(node, text, from, to, inner);
    parent.appendChild(node);
    pos = to;
    i = j;
  }
  if (pos < end) parent.appendChild(document.createTextNode(text.slice(pos, end)));
}

function formatted(text, entities) {
  const body = el("div", "body");
  const sorted = (entities || [])
    .filter((e) => e && e.length > 0)
    .slice()
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  appendFormatted(body, text, 0, text.length, sorted);
  return body;
}

// ---- who may do what ------------------------------------------------------------------------

function persona(id) { return state.personas.find((p) => p.id === id); }
function sharedChat(id) { return state.shared.find((c) => c.id === id); }
function canWrite(chatId) {
  if (chatId === state.me) return true;
  const chat = sharedChat(chatId);
  return Boolean(chat && chat.members.includes(state.me));
}
function paneOf(chatId) { return chatId === state.me ? "private" : chatId === state.sharedChat ? "shared" : null; }

// ---- drawing --------------------------------------------------------------------------------

function clock(seconds) {
  const d = new Date(seconds * 1000);
  return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
}

function groupAlbums(views) {
  const groups = [];
  for (const view of views) {
    const last = groups[groups.length - 1];
    if (last && view.album && last[0].album === view.album && last[0].from.id === view.from.id) {
      last.push(view);
    } else {
      groups.push([view]);
    }
  }
  return groups;
}

function bubble(group, chatId) {
  const first = group[0];
  const writable = canWrite(chatId);
  const item = el("li", "msg");
  item.dataset.messageId = String(first.id);
  if (first.from.id === state.me) item.classList.add("mine");
  if (first.from.bot) item.classList.add("from-bot");
  if (chatId < 0 && first.from.id !== state.me) item.appendChild(el("div", "sender", first.from.name));
  if (first.forwarded_from) item.appendChild(el("div", "forwarded", "Forwarded from " + first.forwarded_from));
  if (first.reply_to) {
    const quote = el("div", "quote");
    quote.appendChild(el("b", "", first.reply_to.from || "message"));
    quote.appendChild(document.createTextNode(first.reply_to.snippet || ""));
    quote.addEventListener("click", () => flash(chatId, first.reply_to.id));
    item.appendChild(quote);
  }
  const photos = group.filter((v) => v.media && v.media.kind === "photo");
  if (photos.length) {
    const media = el("div", "media n" + Math.min(photos.length, 4));
    for (const view of photos) {
      const img = el("img");
      img.src = view.media.url;
      img.alt = "photo";
      img.loading = "lazy";
      media.appendChild(img);
    }
    item.appendChild(media);
  }
  for (const view of group) {
    if (view.media && view.media.kind !== "photo") item.appendChild(el("div", "file", "📄 " + view.media.kind + ": " + view.media.name));
  }
  const captioned = group.find((v) => v.text) || first;
  if (captioned.text) item.appendChild(formatted(captioned.text, captioned.entities));
  const keyboard = group.length === 1 ? first.buttons : [];
  if (keyboard && keyboard.length) item.appendChild(keyboardOf(first, chatId, writable));
  const meta = el("div", "meta");
  if (writable) {
    const reply = el("button", "reply-action", "Reply");
    reply.type = "button";
    reply.addEventListener("click", () => startReply(chatId, first));
    meta.appendChild(reply);
  }
  if (group.some((v) => v.edited)) meta.appendChild(el("span", "", "edited"));
  meta.appendChild(el("span", "", clock(first.date)));
  item.appendChild(meta);
  return item;
}

function keyboardOf(view, chatId, writable) {
  const box = el("div", "keyboard");
  for (const row of view.buttons) {
    const line = el("div", "kb-row");
    for (const button of row) {
      if (button.url) {
        const link = el("a", "", button.text);
        link.href = button.url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        line.appendChild(link);
        continue;
      }
      const press = el("button", "", button.text);
      press.type = "button";
      press.dataset.data = button.data || "";
      press.disabled = !writable || !button.data;
      if (!writable) press.title = "Only members of this chat can press";
      press.addEventListener("click", () => {
        press.classList.add("pressed");
        act("/api/press", { user: state.me, chat: chatId, message: view.id, data: button.data })
          .finally(() => press.classList.remove("pressed"));
      });
      line.appendChild(press);
    }
    box.appendChild(line);
  }
  return box;
}

const pending = new Set();
function schedule(pane) {
  if (pending.has(pane)) return;
  pending.add(pane);
  requestAnimationFrame(() => { pending.delete(pane); render(pane); });
}

function render(pane) {
  const chatId = pane === "private" ? state.me : state.sharedChat;
  const list = $(pane + "-messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const kept = list.scrollTop;
  const views = [...(state.chats.get(chatId) || new Map()).values()].sort((a, b) => a.id - b.id);
  const newest = views.length ? views[views.length - 1].id : 0;
  const grew = list.dataset.chat === String(chatId) && newest > Number(list.dataset.newest || 0);
  const switched = list.dataset.chat !== String(chatId);
  list.replaceChildren(...groupAlbums(views).map((group) => bubble(group, chatId)));
  list.scrollTop = atBottom || switched ? list.scrollHeight : kept;
  if (switched) $(pane + "-jump").hidden = true;
  else if (grew && !atBottom) $(pane + "-jump").hidden = false;
  list.dataset.chat = String(chatId);
  list.dataset.newest = String(newest);
  if (pane === "shared") renderSharedHead();
  renderReplying(pane);
}

function renderSharedHead() {
  const tabs = $("shared-tabs");
  tabs.replaceChildren(...state.shared.map((chat) => {
    const tab = el("button", "", chat.title);
    tab.type = "button";
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-selected", String(chat.id === state.sharedChat));
    tab.addEventListener("click", () => { state.sharedChat = chat.id; state.replyTo.shared = null; render("shared"); });
    return tab;
  }));
  const chat = sharedChat(state.sharedChat);
  const me = persona(state.me);
  const member = canWrite(state.sharedChat);
  $("shared-sub").textContent = chat ? "group · " + chat.members.map((id) => persona(id).name).join(", ") : "";
  const notice = $("shared-notice");
  notice.hidden = member;
  notice.textContent = member ? "" : me.name + " is not in " + chat.title +
    ": shown here so you can watch the desk. Switch to a moderator to act.";
  $("shared-composer").setAttribute("aria-disabled", String(!member));
}

function renderHeads() {
  const me = persona(state.me);
  $("private-title").textContent = state.bot.name;
  $("private-sub").textContent = "bot · @" + state.bot.username + " · your chat as " + me.label;
}

function renderReplying(pane) {
  const box = $(pane + "-composer").querySelector(".replying");
  const target = state.replyTo[pane];
  box.hidden = !target;
  box.querySelector(".replying-text").textContent = target
    ? "Replying to " + (target.from.name || "message") + ": " + (target.text || "[media]").slice(0, 80)
    : "";
}

function renderAll() {
  renderHeads();
  render("private");
  render("shared");
}

function flash(chatId, messageId) {
  const pane = paneOf(chatId);
  if (!pane) return;
  const node = $(pane + "-messages").querySelector('[data-message-id="' + Number(messageId) + '"]');
  if (!node) return;
  node.scrollIntoView({ block: "center" });
  node.classList.add("flash");
  setTimeout(() => node.classList.remove("flash"), 1500);
}

function toast(text, alert) {
  const node = el("div", alert ? "toast alert" : "toast", text);
  $("toasts").appendChild(node);
  setTimeout(() => node.remove(), alert ? 8000 : 4000);
}

// ---- acting ---------------------------------------------------------------------------------

async function act(path, body) {
  try {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (!answer.ok) toast(answer.error || "refused", true);
    return answer;
  } catch (error) {
    toast("The sandbox is not answering: is it still running?", true);
    return { ok: false };
  }
}

function startReply(chatId, view) {
  const pane = paneOf(chatId);
  if (!pane) return;
  state.replyTo[pane] = view;
  renderReplying(pane);
  $(pane + "-composer").querySelector("textarea").focus();
}

async function sendText(pane, text) {
  const chatId = pane === "private" ? state.me : state.sharedChat;
  const target = state.replyTo[pane];
  const body = { user: state.me, chat: chatId, text: text };
  if (target) body.reply_to = target.id;
  const answer = await act("/api/send", body);
  if (answer.ok) { state.replyTo[pane] = null; renderReplying(pane); }
  return answer.ok;
}

function setUpComposer(pane) {
  const form = $(pane + "-composer");
  const input = form.querySelector("textarea");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value;
    if (!text.trim()) return;
    if (await sendText(pane, text)) input.value = "";
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.querySelector(".replying-cancel").addEventListener("click", () => {
    state.replyTo[pane] = null;
    renderReplying(pane);
  });
  $(pane + "-messages").addEventListener("click", (event) => {
    const command = event.target.closest(".command");
    if (command && canWrite(pane === "private" ? state.me : state.sharedChat)) sendText(pane, command.dataset.command);
  });
}

function setUpSamples() {
  const list = $("sample-list");
  list.replaceChildren(...state.samples.map((sample) => {
    const item = el("li");
    const button = el("button", "", sample.label);
    button.type = "button";
    button.dataset.sample = sample.key;
    button.addEventListener("click", () => {
      toggleSamples(false);
      act("/api/forward", { user: state.me, sample: sample.key });
    });
    item.appendChild(button);
    return item;
  }));
}

function toggleSamples(open) {
  $("samples").hidden = !open;
  $("forward").setAttribute("aria-expanded", String(open));
}

function setUpWho() {
  const select = $("who");
  const roles = [["reporter", "Reporters"], ["moderator", "Moderators"], ["admin", "Admin"]];
  select.replaceChildren(...roles.map(([role, title]) => {
    const group = el("optgroup");
    group.label = title;
    for (const p of state.personas.filter((x) => x.role === role)) {
      const option = el("option", "", p.label);
      option.value = String(p.id);
      group.appendChild(option);
    }
    return group;
  }));
  const wanted = Number(new URLSearchParams(location.hash.slice(1)).get("as"));
  state.me = persona(wanted) ? wanted : state.personas[0].id;
  select.value = String(state.me);
  select.addEventListener("change", () => switchTo(Number(select.value)));
}

function switchTo(id) {
  state.me = id;
  $("toasts").replaceChildren(); // the answers were to the person the page acted as before
  state.replyTo = { private: null, shared: null };
  const member = state.shared.find((c) => c.members.includes(id));
  if (member && !canWrite(state.sharedChat)) state.sharedChat = member.id;
  history.replaceState(null, "", "#as=" + id);
  renderAll();
}

// ---- live updates ---------------------------------------------------------------------------

function store(view) {
  if (!state.chats.has(view.chat)) state.chats.set(view.chat, new Map());
  const chat = state.chats.get(view.chat);
  if (view.deleted) chat.delete(view.id); else chat.set(view.id, view);
}

function addressedToMe(view) {
  const mentions = (view.entities || []).filter((e) => e.type === "text_mention" && e.user);
  return mentions.length === 0 || mentions.some((e) => e.user.id === state.me);
}

function onSnapshot(data) {
  const first = state.bot === null;
  state.bot = data.bot;
  state.personas = data.personas;
  state.shared = data.shared;
  state.samples = data.samples;
  state.chats = new Map();
  data.messages.forEach(store);
  if (first) {
    state.sharedChat = state.shared[0].id;
    setUpWho();
    setUpSamples();
    $("flood").textContent = "Flood: " + data.flood + " reports";
    $("flood").dataset.count = String(data.flood);
  }
  renderAll();
}

function onMessage(view) {
  const fresh = !(state.chats.get(view.chat) || new Map()).has(view.id);
  store(view);
  const pane = paneOf(view.chat);
  if (!pane) return;
  if (fresh && view.force_reply && canWrite(view.chat) && addressedToMe(view)) {
    state.replyTo[pane] = view;
  }
  schedule(pane);
}

function connect() {
  const events = new EventSource("/api/events");
  events.addEventListener("open", () => { $("link").textContent = "live"; $("link").classList.remove("down"); });
  events.addEventListener("error", () => { $("link").textContent = "reconnecting…"; $("link").classList.add("down"); });
  events.addEventListener("snapshot", (event) => onSnapshot(JSON.parse(event.data)));
  events.addEventListener("message", (event) => onMessage(JSON.parse(event.data)));
  events.addEventListener("toast", (event) => {
    const data = JSON.parse(event.data);
    if (data.user === state.me) toast(data.text, data.alert);
  });
}

function setUpJump(pane) {
  const list = $(pane + "-messages");
  const jump = $(pane + "-jump");
  jump.addEventListener("click", () => { list.scrollTop = list.scrollHeight; jump.hidden = true; });
  list.addEventListener("scroll", () => {
    if (list.scrollHeight - list.scrollTop - list.clientHeight < 40) jump.hidden = true;
  });
}

function setUpSwitcher() {
  for (const button of document.querySelectorAll(".switcher button")) {
    button.addEventListener("click", () => {
      $("panes").dataset.show = button.dataset.pane;
      for (const other of document.querySelectorAll(".switcher button")) {
        other.setAttribute("aria-pressed", String(other === button));
      }
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  setUpComposer("private");
  setUpComposer("shared");
  setUpJump("private");
  setUpJump("shared");
  setUpSwitcher();
  $("forward").addEventListener("click", () => toggleSamples($("samples").hidden));
  $("flood").addEventListener("click", async () => {
    const count = Number($("flood").dataset.count || 30);
    const answer = await act("/api/flood", { count: count });
    if (answer.ok) toast(answer.sent + " reports sent by the demo reporters: watch the group fold them into digests.");
  });
  connect();
});
