// app.js draws the view from the server's stream of updates (/events):
// the call center panel, the list of calls, and the selected call as a
// ladder diagram, one column per party and one arrow per TCP segment, with
// time downwards. Plain JavaScript and SVG; no library, no build step.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
// The ladder's geometry, as in export.go's WriteSVG.
const G = { timeX: 8, callerX: 130, serverX: 490, glossX: 512, width: 1120, top: 70, row: 46, slope: 18 };
const $ = (id) => document.getElementById(id);

const state = {
  calls: new Map(),  // call number → call, the last `keep` of them
  oldest: 0,
  selected: 0,       // the call shown; 0: none yet
  step: null,        // replay: the last segment shown, or null for all
  seg: null,         // the segment whose numbers are shown
  drawn: "",         // what the ladder shows now, to redraw only on change
  updates: 0,
  totals: {},
  center: {},
  playing: null,
  // lags: for the last calls that ended, how long after their last
  // segment the page had them, in ms (the clocks are the same machine's).
  lags: [],
};
window.socketlab = state; // for the browser test and the curious

function el(name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// quote shows bytes as Go and Python write them: "hello\n".
function quote(s) {
  const cut = s.length > 40;
  return JSON.stringify(cut ? s.slice(0, 40) : s) + (cut ? "…" : "");
}

function label(s) {
  let t = s.flags;
  if (s.len > 0) {
    t += ` len=${s.len} `;
    if (s.text) t += quote(s.text);
    else if (s.hex) t += "0x" + s.hex;
  }
  return t;
}

function numbers(s) {
  return `seq=${s.seq}` + (s.ack !== undefined ? ` ack=${s.ack}` : "") + ` len=${s.len}`;
}

function color(s) {
  if (s.flags.includes("RST")) return "#c0392b";
  if (s.flags.includes("SYN")) return "#1f6fb2";
  if (s.flags.includes("FIN")) return "#8e44ad";
  if (s.len > 0) return "#1e8449";
  return "#333";
}

const ms = (x) => `+${x.toFixed(3)} ms`;
const party = (p) => `${p.name} (${p.addr})`;

// ---- the stream ----

function connect() {
  const es = new EventSource("events");
  es.onopen = () => {
    $("conn").textContent = "live";
    $("conn").className = "up";
    state.calls.clear(); // the first update after (re)connecting is whole
    state.fresh = true;  // ... and its calls are not news: no lags from it
    state.drawn = "";
  };
  es.onerror = () => {
    $("conn").textContent = "reconnecting… (is the view running?)";
    $("conn").className = "down";
  };
  es.addEventListener("update", (ev) => apply(JSON.parse(ev.data)));
}

function apply(u) {
  state.updates++;
  const now = Date.now();
  for (const c of u.calls || []) {
    const before = state.calls.get(c.n);
    if (!state.fresh && c.over && !(before && before.over) && c.segs.length > 0) {
      state.lags.push(now - (c.at + c.segs[c.segs.length - 1].ms));
      if (state.lags.length > 1000) state.lags.shift();
    }
    state.calls.set(c.n, c);
  }
  state.fresh = false;
  state.oldest = u.oldest;
  for (const n of state.calls.keys()) if (n < u.oldest) state.calls.delete(n);
  state.totals = u.totals;
  state.center = u.center;
  state.keep = u.keep;
  if ($("follow").checked && state.calls.size > 0) {
    const newest = Math.max(...state.calls.keys());
    if (newest !== state.selected) select(newest, false);
  }
  render();
}

// ---- drawing ----

function render() {
  renderTotals();
  renderCenter();
  renderList();
  renderCall();
}

function renderTotals() {
  const t = state.totals;
  $("totals").textContent = `${t.calls} calls, ${t.segments} segments seen; ${t.perSecond.toFixed(1)} calls/s`;
}

function slots(box, n, filled, cls, max) {
  box.replaceChildren();
  const shown = Math.min(n, max);
  const full = n > max ? Math.round((filled * shown) / n) : filled;
  for (let i = 0; i < shown; i++) {
    const d = document.createElement("div");
    d.className = "slot" + (i < full ? " " + cls : "");
    box.append(d);
  }
}

// modelNames say what each -model is, in the lecture's words.
const modelNames = {
  threads: "threads — a goroutine (a thread) for each call",
  processes: "processes — a new process for each call",
  eventloop: "eventloop — one thread answers whichever phone rings (epoll)",
};

function renderCenter() {
  const c = state.center || {};
  const t = state.totals;
  const s = c.server;
  const st = $("server-state");
  if (!s) {
    st.className = "state";
    st.textContent = "the server's status is unknown";
  } else if (c.sleeping) {
    st.className = "state sleeping";
    st.textContent = `Zzz… the server sleeps in accept(): ${c.cpu.toFixed(1)}% CPU, nobody on the line`;
  } else {
    st.className = "state working";
    st.textContent = `the server works: ${c.cpu.toFixed(1)}% of a CPU`;
  }
  $("status-error").textContent = c.statusError || "";
  $("model").textContent = s && s.model ? `model: ${modelNames[s.model] || s.model}` : "";
  if (s && s.workers > 0) {
    slots($("employees"), s.workers, s.busy, "busy", 64);
    $("employees-text").textContent = `${s.busy} of ${s.workers} busy, ${s.workers - s.busy} free` +
      (s.busy_mode ? "; callers who find all busy hear \"busy\"" : "; callers who find all busy wait on hold");
  } else if (s) {
    $("employees").replaceChildren();
    $("employees-text").textContent = {
      processes: `a new process per call (-model processes, no -workers): ${s.in_progress} calls in progress, ${s.processes} processes started`,
      eventloop: `one thread answers every call as its phone rings (-model eventloop, epoll): ${s.in_progress} calls in progress`,
    }[s.model] || `one goroutine per call (no -workers): ${s.in_progress} calls in progress`;
  } else {
    $("employees").replaceChildren();
    $("employees-text").textContent = "unknown without the server's -status endpoint";
  }
  const backlog = c.backlog || (s && s.backlog) || 0;
  if (c.queueKnown && c.listening) {
    slots($("queue"), Math.max(backlog, c.queue), c.queue, "waiting", 64);
    $("queue").dataset.queue = c.queue;
    $("queue").dataset.backlog = backlog;
    $("queue-text").textContent = `${c.queue} waiting, backlog ${backlog} (ss -lt: Recv-Q ${c.queue}, Send-Q ${backlog})`;
  } else {
    $("queue").replaceChildren();
    $("queue-text").textContent = c.queueKnown ? "nothing listens on the port" : "the listen queue is unknown";
  }
  const figures = [
    ["rate", "calls/s", t.perSecond.toFixed(1)],
    ["answered", "calls answered (hello)", t.answered],
    ["echoed", "echoes", t.echoed],
    ["busy", "busy signals", t.busy],
    ["overflows", "queue overflows (ListenOverflows)", c.overflows || 0],
    ["refused", "refused (nobody listening)", t.refused],
    ["resets", "ended by a reset", t.resets],
  ];
  const dl = $("figures");
  dl.replaceChildren();
  for (const [id, k, v] of figures) {
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v;
    dd.id = "fig-" + id;
    dl.append(dt, dd);
  }
}

function renderList() {
  const ol = $("calls");
  const ns = [...state.calls.keys()].sort((a, b) => b - a);
  ol.replaceChildren();
  for (const n of ns) {
    const c = state.calls.get(n);
    const li = document.createElement("li");
    li.dataset.n = n;
    if (n === state.selected) li.className = "selected";
    const last = c.segs.length ? c.segs[c.segs.length - 1].ms : 0;
    const who = document.createElement("span");
    who.textContent = `#${n} ${c.caller.name} → ${c.server.name}`;
    const badge = document.createElement("span");
    badge.className = "badge " + (c.outcome || "");
    // Picked up by the kernel, not yet greeted: waiting in the listen queue.
    const onHold = !c.outcome && !c.over && c.segs.some((s) => (s.moments || []).includes("handshake")) &&
      !c.segs.some((s) => s.fromServer && s.len > 0);
    // Only the caller's SYNs: the queue was full, the kernel ignores them.
    const ringing = !c.over && c.segs.every((s) => !s.fromServer && s.flags === "SYN");
    const what = c.outcome || (c.over ? "over" : onHold ? "on hold" : ringing ? "ringing, no answer" : "on the line");
    badge.textContent = `${what} · ${c.segs.length} seg · ${last.toFixed(1)} ms`;
    li.append(who, badge);
    li.onclick = () => { $("follow").checked = false; select(n, true); };
    ol.append(li);
  }
  const t = state.totals;
  const hidden = t.calls - t.shown;
  $("hidden").textContent = hidden > 0 ? `${hidden} older calls are counted above but no longer shown (the page keeps the last ${state.keep}).` : "";
}

function select(n, user) {
  state.selected = n;
  state.step = null;
  state.seg = null;
  stop();
  if (user) render();
}

function renderCall() {
  const c = state.calls.get(state.selected);
  if (!c) return;
  const key = `${c.n}/${c.segs.length}/${state.step}/${state.seg}`;
  if (key === state.drawn) return;
  state.drawn = key;
  $("title").textContent = `call ${c.n}: ${c.caller.name} calls ${c.server.name}`;
  // How long the call took, first segment to last: the line a student
  // compares with the server's log ("... (1ms)").
  const took = `${(c.segs.length ? c.segs[c.segs.length - 1].ms : 0).toFixed(1)} ms`;
  $("parties").textContent = `${party(c.caller)} → ${party(c.server)}, ` +
    `${c.segs.length} segments${c.more ? ` (+${c.more} not kept)` : ""}, ` +
    (c.over ? `over after ${took}` : `still on the line after ${took}`);
  for (const [id, ext] of [["dl-pcap", "pcap"], ["dl-svg", "svg"], ["dl-mmd", "mmd"]]) {
    $(id).href = `calls/${c.n}.${ext}?download`;
  }
  const upto = state.step === null ? c.segs.length - 1 : state.step;
  $("step").textContent = state.step === null ? "" : `segment ${upto + 1} of ${c.segs.length}`;
  drawLadder(c, upto);
  drawTable(c, upto);
  const s = state.seg !== null ? c.segs[state.seg] : null;
  $("seg-detail").textContent = s ? `segment ${state.seg + 1}: ${s.fromServer ? c.server.name : c.caller.name} sends ${s.flags}, ${numbers(s)}` +
    (s.ack !== undefined ? ` (it has received ${s.ack} bytes' worth, counting the SYN and FIN as one each)` : "") : "click an arrow to see its numbers";
}

function drawLadder(c, upto) {
  const svg = $("ladder");
  const h = G.top + G.row * c.segs.length + 30;
  svg.setAttribute("width", G.width);
  svg.setAttribute("height", h);
  svg.setAttribute("viewBox", `0 0 ${G.width} ${h}`);
  svg.replaceChildren();
  const defs = el("defs");
  const marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: "auto-start-reverse" });
  marker.append(el("path", { d: "M0,0 L10,5 L0,10 z", fill: "#333" }));
  defs.append(marker);
  svg.append(defs);
  for (const [x, p] of [[G.callerX, c.caller], [G.serverX, c.server]]) {
    svg.append(el("text", { x, y: 24, "text-anchor": "middle", "font-weight": "bold", class: "party" }, p.name));
    svg.append(el("text", { x, y: 42, "text-anchor": "middle", fill: "#555" }, p.addr));
    svg.append(el("line", { x1: x, y1: 52, x2: x, y2: h - 10, stroke: "#999", "stroke-width": 2 }));
  }
  c.segs.forEach((s, i) => {
    if (i > upto) return;
    const y = G.top + G.row * i;
    const [x1, x2] = s.fromServer ? [G.serverX, G.callerX] : [G.callerX, G.serverX];
    const col = color(s);
    const g = el("g", { class: "seg" + (i === state.seg ? " selected" : "") + (i === upto && state.step !== null ? " current" : "") });
    g.dataset.i = i;
    g.dataset.flags = s.flags;
    g.dataset.from = s.fromServer ? "server" : "caller";
    if (s.text) g.dataset.text = s.text;
    g.append(el("text", { x: G.timeX, y: y + G.slope, fill: "#555" }, ms(s.ms)));
    g.append(el("line", { class: "arrow", x1, y1: y, x2, y2: y + G.slope, stroke: col, "stroke-width": 2, "marker-end": "url(#arrow)" }));
    g.append(el("text", { class: "label", x: (G.callerX + G.serverX) / 2, y: y + G.slope / 2 - 4, "text-anchor": "middle", fill: col }, label(s)));
    g.append(el("text", { class: "numbers", x: (G.callerX + G.serverX) / 2, y: y + G.slope + 12, "text-anchor": "middle", fill: "#777", "font-size": 11 }, numbers(s)));
    if (s.gloss) g.append(el("text", { class: "gloss", x: G.glossX, y: y + G.slope / 2 + 4, fill: "#235", "font-style": "italic" }, s.gloss));
    g.onclick = () => { state.seg = i; renderCall(); };
    svg.append(g);
  });
}

function drawTable(c, upto) {
  const tb = $("segs").tBodies[0];
  tb.replaceChildren();
  c.segs.forEach((s, i) => {
    if (i > upto) return;
    const tr = tb.insertRow();
    if (i === state.seg) tr.className = "selected";
    const from = s.fromServer ? c.server.name : c.caller.name;
    const to = s.fromServer ? c.caller.name : c.server.name;
    const cells = [ms(s.ms), `${from} → ${to}`, s.flags, s.seq, s.ack ?? "", s.len,
      s.text ? quote(s.text) : s.hex ? "0x" + s.hex : "", s.gloss || ""];
    cells.forEach((v, k) => {
      const td = tr.insertCell();
      td.textContent = v;
      if (k === 6) td.className = "bytes";
    });
    tr.onclick = () => { state.seg = i; renderCall(); };
  });
}

// ---- replay ----

function current() { return state.calls.get(state.selected); }

function go(step) {
  const c = current();
  if (!c || c.segs.length === 0) return;
  $("follow").checked = false; // a replay holds the call still
  state.step = step === null ? null : Math.max(0, Math.min(step, c.segs.length - 1));
  if (state.step === c.segs.length - 1 && !state.playing) state.step = null;
  state.seg = state.step;
  renderCall();
}

function stop() {
  if (state.playing) clearInterval(state.playing);
  state.playing = null;
  $("play").textContent = "▶ play";
}

$("first").onclick = () => { stop(); go(0); };
$("prev").onclick = () => { stop(); const c = current(); if (c) go((state.step ?? c.segs.length - 1) - 1); };
$("next").onclick = () => { stop(); if (state.step !== null) go(state.step + 1); };
$("last").onclick = () => { stop(); go(null); };
$("play").onclick = () => {
  if (state.playing) return stop();
  const c = current();
  if (!c) return;
  go(0);
  $("play").textContent = "⏸ pause";
  state.playing = setInterval(() => {
    if (state.step === null || state.step >= c.segs.length - 1) { stop(); go(null); return; }
    go(state.step + 1);
  }, 700);
};
$("follow").onchange = () => { if ($("follow").checked) { state.selected = 0; state.drawn = ""; apply({ calls: [], oldest: state.oldest, totals: state.totals, center: state.center, keep: state.keep }); } };

connect();
