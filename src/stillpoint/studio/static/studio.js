// The studio's page: the library, the editor with live findings, the timeline, hearing a part, handing over.
// Everything it knows comes from the studio's own routes; it talks to nothing else.
"use strict";

const $ = (id) => document.getElementById(id);
const POLL_MS = 3000;
const JOB_POLL_MS = 300;

const state = {
  id: null, name: "", editable: false, version: "", dirty: false, library: [], variables: {},
  plan: null, playing: null, conflict: null, takes: new Map(),
};

// ------------------------------------------------------------------ talking to the studio

class Refused extends Error {
  constructor(status, answer) {
    super(answer.error || `the studio answered ${status}`);
    this.status = status;
    this.answer = answer;
  }
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const answer = await response.json().catch(() => ({ error: `the studio answered ${response.status}` }));
  if (!response.ok) throw new Refused(response.status, answer);
  return answer;
}

function say(id, text, isError = false) {
  const line = $(id);
  line.textContent = text;
  line.classList.toggle("error", isError);
}

function problemText(err) {
  const first = err.answer?.diagnostics?.[0];
  if (!first) return err.message;
  const where = first.line ? `line ${first.line}: ` : "";
  return `${where}${first.message}${first.hint ? ` (${first.hint})` : ""}`;
}

function clock(seconds) {
  // A length as the command line shows it (stillpoint.audio.clock): 12:41, or 1:30:00 from an hour on.
  const whole = Math.max(Math.round(seconds), 0);
  const pad = (number) => String(number).padStart(2, "0");
  const [hours, minutes, rest] = [Math.floor(whole / 3600), Math.floor(whole / 60) % 60, whole % 60];
  return hours ? `${hours}:${pad(minutes)}:${pad(rest)}` : `${minutes}:${pad(rest)}`;
}

function choices() {
  const rate = $("rate").value ? Number($("rate").value) : null;
  return {
    voice: $("voice").value || null, rate, bells: $("bells").checked,
    bell_volume: Number($("bell-volume").value), ambience: $("ambience").value || null,
    ambience_volume: Number($("ambience-volume").value), breath_cue: $("breath-cue").value || null,
    sleep: $("sleep").value ? Number($("sleep").value) : null,  // minutes, for exports: a part heard has none
  };
}

function practiceBody(extra = {}) {
  return { text: editor.getText(), id: state.id || "untitled.txt", ...choices(), ...extra };
}

// ------------------------------------------------------------------ the editor and its findings

async function lint(text) {
  showTakes(text).catch(() => {});
  const answer = await api("/api/check", { ...practiceBody(), text, review: $("review").checked });
  showPlan(answer);
  showVariables(answer.variables || {});
  return answer.diagnostics;
}

function showProblems(list) {
  const items = list.map((d) => {
    const li = document.createElement("li");
    li.className = d.severity;
    const button = li.appendChild(document.createElement("button"));
    button.type = "button";
    for (const [cls, text] of [["where", `${d.line}:${d.col}`], ["message", d.message], ["hint", d.hint]]) {
      const span = button.appendChild(document.createElement("span"));
      span.className = cls;
      span.textContent = text;
    }
    button.setAttribute("aria-label", `${d.severity}, line ${d.line}, column ${d.col}: ${d.message}`
      + (d.hint ? `. ${d.hint}` : ""));
    button.addEventListener("click", () => editor.jumpTo(d.line, d.col));
    if (d.family === "review") li.classList.add("review");
    if (d.fix && state.editable) li.appendChild(rewriteButton(d.fix, d.line));
    return li;
  });
  $("problems").replaceChildren(...items);
  $("count").textContent = list.length ? `(${list.length})` : "";
  $("no-problems").hidden = list.length > 0 || !state.id;
}

function rewriteButton(fix, line) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "rewrite";
  button.textContent = "Rewrite";
  button.setAttribute("aria-label", `Rewrite line ${line} as suggested`);
  button.addEventListener("click", (event) => {
    event.stopPropagation();
    editor.applyFix(fix);
  });
  return button;
}

const editor = StillpointEditor.createEditor({
  parent: $("editor"),
  doc: "",
  readOnly: true,
  cspNonce: document.querySelector("meta[name=csp-nonce]").content,
  lint,
  onChange: () => setDirty(true),
  onCursorLine: (line) => {
    state.cursorLine = line;
    $("status").textContent = `Line ${line}`;
    if (!recorder.stream) showRecordLine(line);
  },
  onDiagnostics: showProblems,
});
window.editor = editor;
state.cursorLine = 1;

function setDirty(dirty) {
  state.dirty = dirty;
  $("saved").textContent = !state.id ? "" : !state.editable ? "built-in, read-only"
    : dirty ? "unsaved changes" : "saved";
  $("save").disabled = !state.editable || !dirty;
}

// ------------------------------------------------------------------ the library

async function loadLibrary() {
  const answer = await api("/api/library");
  state.library = answer.practices;
  const filter = $("tag-filter");
  const chosen = filter.value;
  filter.replaceChildren(new Option("every tag", ""), ...answer.tags.map((t) => new Option(t, t)));
  filter.value = answer.tags.includes(chosen) ? chosen : "";
  $("new-from").replaceChildren(new Option("from the template", ""),
    ...state.library.map((p) => new Option(`from ${p.title || p.name}`, p.id)));
  showLibrary();
}

function showLibrary() {
  const tag = $("tag-filter").value;
  const shown = state.library.filter((p) => !tag || p.tags.includes(tag));
  const own = shown.filter((p) => !p.builtin);
  const builtin = shown.filter((p) => p.builtin);
  $("practices").replaceChildren(group("Your practices"), ...own.map(libraryItem),
    ...(own.length ? [] : [group("none yet: create one below, or copy a built-in", true)]),
    group("Built-in, read-only"), ...builtin.map(libraryItem));
}

function group(text, note = false) {
  const li = document.createElement("li");
  li.className = note ? "meta" : "group";
  li.textContent = text;
  return li;
}

function libraryItem(practice) {
  const li = document.createElement("li");
  const button = li.appendChild(document.createElement("button"));
  button.type = "button";
  button.dataset.id = practice.id;
  if (practice.id === state.id) button.setAttribute("aria-current", "true");
  const title = button.appendChild(document.createElement("span"));
  title.className = "title";
  title.textContent = practice.title || practice.name;
  const meta = button.appendChild(document.createElement("span"));
  meta.className = "meta";
  const length = practice.seconds == null ? "" : `${clock(practice.seconds)} · `;
  meta.textContent = `${length}${practice.tags.slice(0, 3).join(", ") || practice.name}`;
  const badges = [[practice.errors, "errors", `${practice.errors} error${practice.errors === 1 ? "" : "s"}`],
    [practice.warnings, "warnings", `${practice.warnings} warning${practice.warnings === 1 ? "" : "s"}`]];
  for (const [shown, cls, text] of badges) {
    if (!shown) continue;
    const badge = meta.appendChild(document.createElement("span"));
    badge.className = `badge ${cls}`;
    badge.textContent = text;
  }
  if (practice.content_note) {
    const note = button.appendChild(document.createElement("span"));
    note.className = "meta content-note";
    note.textContent = `Content note: ${practice.content_note}`;
  }
  button.addEventListener("click", () => openPractice(practice.id));
  return li;
}

async function openPractice(id) {
  if (state.dirty && !window.confirm("Leave the unsaved changes of this practice?")) return;
  const doc = await api(`/api/practice?id=${encodeURIComponent(id)}`);
  Object.assign(state, { id: doc.id, name: doc.name, editable: doc.editable, version: doc.version });
  hideConflict();
  await forgetTake();
  editor.setReadOnly(!doc.editable);
  $("review").checked = doc.editable; // on for your own practices; the built-ins are read, not rewritten
  editor.setText(doc.text);
  $("file").textContent = doc.editable ? `${doc.id}` : `${doc.name} (built-in)`;
  $("copy").hidden = doc.editable;
  setDirty(false);
  showLibrary();
}

async function createPractice(name, from) {
  const doc = await api("/api/new", { name, from: from || null });
  await loadLibrary();
  await openPractice(doc.id);
  return doc;
}

function copyName(name) {
  const taken = new Set(state.library.filter((p) => !p.builtin).map((p) => p.name));
  if (!taken.has(name)) return name;
  for (let n = 2; ; n++) if (!taken.has(`${name} ${n}`)) return `${name} ${n}`;
}

// ------------------------------------------------------------------ saving, and changes made elsewhere

async function save() {
  if (!state.editable || !state.dirty) return;
  await saveOver(state.version);
}

async function saveOver(base) {
  const text = editor.getText();
  try {
    const answer = await api("/api/save", { id: state.id, text, base });
    state.version = answer.version;
    hideConflict();
    setDirty(editor.getText() !== text);
    loadLibrary();
  } catch (err) {
    if (err.status === 409) showConflict(err.answer.conflict);
    else say("new-status", problemText(err), true);
  }
}

function showConflict(conflict) {
  state.conflict = conflict;
  $("conflict-what").textContent = conflict.version
    ? "This file changed on disk since you opened it." : "This file was removed from the folder since you opened it.";
  $("disk-text").textContent = conflict.text;
  $("load-disk").hidden = !conflict.version;
  $("conflict").hidden = false;
}

function hideConflict() {
  state.conflict = null;
  $("conflict").hidden = true;
}

async function watchDisk() {
  if (!state.id || !state.editable || state.conflict) return;
  const { version } = await api(`/api/version?id=${encodeURIComponent(state.id)}`);
  if (version === state.version || state.conflict) return;
  if (!state.dirty && version) {
    const doc = await api(`/api/practice?id=${encodeURIComponent(state.id)}`);
    state.version = doc.version;
    editor.setText(doc.text);
    setDirty(false);
    $("saved").textContent = "reloaded: it changed on disk";
    return;
  }
  const doc = version ? await api(`/api/practice?id=${encodeURIComponent(state.id)}`) : { text: "", version: "" };
  showConflict({ text: doc.text, version: doc.version });
}

// ------------------------------------------------------------------ the timeline

function showPlan(answer) {
  state.plan = answer.plan;
  const plan = answer.plan;
  if (!plan) {
    $("timeline-summary").textContent = answer.errors
      ? "The timeline comes back once the errors are fixed." : "The timeline appears once the script checks.";
    return;
  }
  const fits = answer.fits
    ? ` · a length: line can fit it to ${clock(answer.fits.shortest)}–${clock(answer.fits.longest)}` : "";
  $("timeline-summary").textContent = `${plan.title} · about ${clock(plan.total)}${fits}`;
  drawStrip(plan);
  showSections(plan);
}

function placed(div, start, duration, total) {
  div.style.left = `${(100 * start) / total}%`;
  div.style.width = `${Math.max((100 * duration) / total, 0.15)}%`;
  return div;
}

function drawStrip(plan) {
  const total = plan.total || 1;
  const events = plan.events.map((e) => {
    const div = placed(document.createElement("div"), e.start, e.duration, total);
    const take = e.kind === "speech" ? state.takes.get(e.line) : undefined;
    div.className = take ? `${e.kind} ${take}` : e.kind;
    div.title = `${clock(e.start)} ${e.kind}${e.text ? `: ${e.text}` : ` ${e.duration.toFixed(1)} s`}`
      + (take ? ` (${TAKE_STATES[take]})` : "");
    return div;
  });
  $("strip").replaceChildren(...events);
  const sections = [];
  for (const e of plan.events) {
    if (e.kind === "sleep") continue;  // the ending is no section to hear: the strip shows it, unlabelled
    const last = sections[sections.length - 1];
    if (last && last.title === e.section) last.end = e.start + e.duration;
    else sections.push({ title: e.section, start: e.start, end: e.start + e.duration });
  }
  $("strip-sections").replaceChildren(...sections.map((s) => {
    const button = placed(document.createElement("button"), s.start, s.end - s.start, total);
    button.type = "button";
    button.textContent = s.title;
    button.title = `${s.title}: ${clock(s.start)}–${clock(s.end)} (click to hear)`;
    button.setAttribute("aria-label", `Hear ${s.title}, ${clock(s.start)} to ${clock(s.end)}`);
    button.dataset.section = s.title;
    button.classList.toggle("playing", state.playing === s.title);
    button.addEventListener("click", () => hear({ section: s.title }));
    return button;
  }));
  $("strip").setAttribute("aria-label", stripSummary(plan));
}

function stripSummary(plan) {
  const counts = new Map();
  for (const e of plan.events) counts.set(e.kind, (counts.get(e.kind) || 0) + 1);
  const parts = [...counts].map(([kind, n]) => `${n} ${kind === "speech" ? "spoken line" : kind}${n === 1 ? "" : "s"}`);
  return `The practice's events, ${clock(plan.total)}: ${parts.join(", ")}`;
}

function showSections(plan) {
  const rows = plan.sections.map((s) => {
    const tr = document.createElement("tr");
    for (const [text, cls] of [[s.title, ""], [clock(s.spoken), "num"], [clock(s.silent), "num"],
      [Math.round(s.heard_wpm), "num"]]) {
      const td = tr.appendChild(document.createElement("td"));
      td.textContent = text;
      td.className = cls;
    }
    const button = tr.appendChild(document.createElement("td")).appendChild(document.createElement("button"));
    button.type = "button";
    button.textContent = "▶";
    button.title = `Hear ${s.title}`;
    button.setAttribute("aria-label", `Hear ${s.title}`);
    button.addEventListener("click", () => hear({ section: s.title }));
    return tr;
  });
  $("sections").tBodies[0].replaceChildren(...rows);
}

// ------------------------------------------------------------------ hearing a part

let heardEvents = [];

async function hear(part) {
  if (!state.id) return;
  selectTab("hear");
  say("hear-status", "Preparing the voice…");
  const player = $("player");
  player.pause();
  try {
    const answer = await api("/api/hear", practiceBody(part));
    heardEvents = answer.events;
    state.playing = part.section || null;
    player.src = answer.audio;
    await player.play();
    say("hear-status", part.section ? `Playing “${part.section}” (${clock(answer.total)})`
      : `Playing from line ${part.line} (${clock(answer.total)})`);
  } catch (err) {
    say("hear-status", problemText(err), true);
  }
}

function followPlayback() {
  const now = $("player").currentTime;
  const event = heardEvents.find((e) => e.start <= now && now < e.end);
  if (event && event.kind === "speech") editor.highlightLine(event.line);
}

// ------------------------------------------------------------------ handing over

function showVariables(variables) {
  const same = JSON.stringify(variables) === JSON.stringify(state.variables);
  state.variables = variables;
  if (same) return;
  const fields = Object.entries(variables).map(([name, fallback]) => {
    const label = document.createElement("label");
    label.textContent = name;
    const input = label.appendChild(document.createElement("input"));
    input.name = name;
    input.placeholder = fallback ?? "(no default: fill it in)";
    input.maxLength = 300;
    return label;
  });
  $("values").replaceChildren(...fields);
  if (!fields.length) $("values").textContent = "This practice has no variables.";
  drawClientsHeader();
}

function clientColumns() {
  return ["client", ...Object.keys(state.variables).filter((name) => name !== "client")];
}

function drawClientsHeader() {
  const kept = readClients();
  const tr = document.createElement("tr");
  for (const column of clientColumns()) tr.appendChild(document.createElement("th")).textContent = column;
  $("clients").tHead.replaceChildren(tr);
  $("clients").tBodies[0].replaceChildren();
  (kept.length ? kept : [{}, {}]).forEach(addClient);
}

function addClient(values = {}) {
  const tr = document.createElement("tr");
  for (const column of clientColumns()) {
    const input = tr.appendChild(document.createElement("td")).appendChild(document.createElement("input"));
    input.name = column;
    input.maxLength = 300;
    input.value = values[column] ?? "";
    input.setAttribute("aria-label", column);
  }
  $("clients").tBodies[0].appendChild(tr);
}

function readClients() {
  return [...$("clients").tBodies[0].rows].map((tr) => Object.fromEntries(
    [...tr.querySelectorAll("input")].map((input) => [input.name, input.value])));
}

async function follow(job, progressId, statusId, filesId) {
  const bar = $(progressId);
  bar.hidden = false;
  for (;;) {
    bar.max = Math.max(job.total, 1);
    bar.value = job.done;
    if (job.state !== "running") break;
    say(statusId, job.message || `Speaking: ${job.done} of ${job.total}`);
    await new Promise((resolve) => setTimeout(resolve, JOB_POLL_MS));
    job = await api(`/api/jobs/${job.id}`);
  }
  bar.hidden = true;
  if (job.state === "failed") {
    say(statusId, job.error.message + (job.error.hint ? ` (${job.error.hint})` : ""), true);
    return;
  }
  say(statusId, `Done: ${job.synthesized} lines spoken, ${job.cached} from the cache.`);
  $(filesId).replaceChildren(...job.files.map((file) => {
    const li = document.createElement("li");
    const link = li.appendChild(document.createElement("a"));
    link.href = file.url;
    link.download = file.name;
    link.textContent = file.name;
    return li;
  }));
}

async function exportOne(event) {
  event.preventDefault();
  const values = Object.fromEntries([...$("values").querySelectorAll("input")]
    .filter((input) => input.value.trim()).map((input) => [input.name, input.value]));
  $("export-files").replaceChildren();
  try {
    const job = await api("/api/export", practiceBody({ values }));
    await follow(job, "export-progress", "export-status", "export-files");
  } catch (err) {
    say("export-status", problemText(err), true);
  }
}

async function exportClients() {
  $("clients-files").replaceChildren();
  try {
    const job = await api("/api/export-clients", practiceBody({ rows: readClients() }));
    await follow(job, "clients-progress", "clients-status", "clients-files");
  } catch (err) {
    say("clients-status", problemText(err), true);
  }
}

async function loadCsv(file) {
  try {
    const csv = await file.text();
    const answer = await api("/api/clients-csv", practiceBody({ csv, name: file.name }));
    $("clients").tBodies[0].replaceChildren();
    answer.rows.forEach(addClient);
    say("clients-status", `${answer.rows.length} clients from ${file.name}`);
  } catch (err) {
    say("clients-status", problemText(err), true);
  }
}

// ------------------------------------------------------------------ recording a line in the user's own voice

const COUNT_IN = 3;
const TAKE_SECONDS = 600; // the longest take the studio keeps (a recording's limit in the script language)
const TAKE_MARKER = /\s*\[recorded\s+[^[\]\n]*?\s*\]\s*$/;
const TAKE_STATES = { recorded: "your voice", stale: "recorded, but the line changed since: retake it",
  missing: "its file is missing: record it again" };
const recorder = {
  stream: null, context: null, blocks: [], frames: 0, capturing: false, line: null, practice: null, take: null,
};

function showRecordLine(line) {
  $("record-start").textContent = `Record line ${line}`;
  $("record-line").textContent = `Line ${line}: ${editor.getText().split("\n")[line - 1] ?? ""}`;
}

async function startRecording(line = state.cursorLine) {
  if (!state.editable) {
    say("record-status", "A built-in practice cannot be recorded: make a copy to record your own voice.", true);
    return;
  }
  try {
    const answer = await api("/api/takes", practiceBody({ line }));
    Object.assign(recorder, { line: answer.line, practice: state.id });
    await openMicrophone();
  } catch (err) {
    say("record-status", err instanceof Refused ? problemText(err) : `The microphone: ${err.message}`, true);
    return;
  }
  setRecording(true);
  for (let n = COUNT_IN; n > 0 && recorder.stream; n--) {
    $("count-in").textContent = `${n}…`;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  if (!recorder.stream) return;
  Object.assign(recorder, { blocks: [], frames: 0, capturing: true });
  $("count-in").textContent = "Recording";
  say("record-status", `Recording line ${recorder.line.number}: press Stop when you are done.`);
}

async function openMicrophone() {
  // The browser's own processing off: the take is levelled by the studio, as a synthesized line is.
  recorder.stream = await navigator.mediaDevices.getUserMedia({ audio: {
    echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 } });
  recorder.context = new AudioContext();
  await recorder.context.audioWorklet.addModule("/static/capture.js");
  const tap = new AudioWorkletNode(recorder.context, "stillpoint-capture", { numberOfOutputs: 0 });
  tap.port.onmessage = (event) => heardBlock(event.data);
  recorder.context.createMediaStreamSource(recorder.stream).connect(tap);
}

function heardBlock(samples) {
  showLevel(samples);
  if (!recorder.capturing) return;
  recorder.blocks.push(samples);
  recorder.frames += samples.length;
  if (recorder.frames >= TAKE_SECONDS * recorder.context.sampleRate) stopRecording();
}

function showLevel(samples) {
  const peak = samples.reduce((most, s) => Math.max(most, Math.abs(s)), 0);
  const db = Math.max(Math.round(20 * Math.log10(peak || 1e-6)), -60);
  const words = db <= -55 ? "silent" : db < -40 ? `${db} dB, too quiet: come closer`
    : db > -3 ? `${db} dB, too loud: move back` : `${db} dB, good`;
  $("level").value = db;
  $("level").setAttribute("aria-valuetext", words);
  $("level-text").textContent = `Level: ${words}`;
}

async function stopRecording() {
  const rate = recorder.context?.sampleRate;
  const kept = recorder.capturing && recorder.frames > 0;
  recorder.capturing = false;
  recorder.stream?.getTracks().forEach((track) => track.stop());
  await recorder.context?.close();
  Object.assign(recorder, { stream: null, context: null });
  setRecording(false);
  $("count-in").textContent = "";
  if (!kept) {
    say("record-status", "Stopped before the recording began: nothing was recorded.");
    $("record-start").focus(); // Stop, which had the keyboard, is disabled now
    return;
  }
  recorder.take = wavOf(recorder.blocks, recorder.frames, rate);
  if ($("take").src) URL.revokeObjectURL($("take").src);
  $("take").src = URL.createObjectURL(recorder.take);
  $("record-keep").disabled = $("record-retake").disabled = false;
  say("record-status", `A take of ${(recorder.frames / rate).toFixed(1)} s: listen back, then keep it or retake.`);
  $("record-keep").focus();
}

async function forgetTake() {
  // Another practice opened: a recording stops, and a take not kept is let go (it was for the other one's line).
  if (recorder.stream) await stopRecording();
  recorder.take = null;
  if ($("take").src) URL.revokeObjectURL($("take").src);
  $("take").removeAttribute("src");
  $("record-keep").disabled = $("record-retake").disabled = true;
  say("record-status", "");
}

function setRecording(on) {
  $("record-start").disabled = on;
  $("record-stop").disabled = !on;
  if (on) $("record-keep").disabled = $("record-retake").disabled = true;
  if (on) $("record-stop").focus();
}

function wavOf(blocks, frames, rate) {
  // 16-bit PCM WAV, mono: a 44-byte header, then the samples, little-endian.
  const view = new DataView(new ArrayBuffer(44 + 2 * frames));
  const ascii = (at, text) => [...text].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, 36 + 2 * frames, true);
  ascii(8, "WAVEfmt ");
  [[16, 16, 4], [20, 1, 2], [22, 1, 2], [24, rate, 4], [28, 2 * rate, 4], [32, 2, 2], [34, 16, 2]]
    .forEach(([at, value, size]) => (size === 4 ? view.setUint32(at, value, true) : view.setUint16(at, value, true)));
  ascii(36, "data");
  view.setUint32(40, 2 * frames, true);
  let at = 44;
  for (const block of blocks) {
    for (const sample of block) {
      const s = Math.max(-1, Math.min(1, sample));
      view.setInt16(at, s < 0 ? s * 0x8000 : s * 0x7fff, true);
      at += 2;
    }
  }
  return new Blob([view.buffer], { type: "audio/wav" });
}

async function keepTake() {
  const number = recorder.line.number;
  const text = editor.getText().split("\n")[number - 1] ?? "";
  const query = new URLSearchParams({ id: recorder.practice, line: number, text });
  say("record-status", "Keeping the take…");
  try {
    const response = await fetch(`/api/take?${query}`, {
      method: "POST", headers: { "Content-Type": "audio/wav" }, body: recorder.take });
    const answer = await response.json().catch(() => ({ error: `the studio answered ${response.status}` }));
    if (!response.ok) throw new Refused(response.status, answer);
    markLine(number, answer.marker);
    $("record-keep").disabled = true;
    say("record-status", `Kept: line ${number} now plays your take (${answer.file}). Save to keep the marker.`);
  } catch (err) {
    say("record-status", problemText(err), true);
  }
}

function markLine(number, marker) {
  // The marker at the end of the line, in place of the one there; columns in characters, as the checker counts.
  const raw = editor.getText().split("\n")[number - 1] ?? "";
  const found = raw.match(TAKE_MARKER);
  const from = found ? found.index : raw.trimEnd().length;
  editor.applyFix({ line: number, col: [...raw.slice(0, from)].length + 1, end_line: number,
    end_col: [...raw].length + 1, text: ` ${marker}` });
}

async function showTakes(text) {
  if (!state.id) return;
  const answer = await api("/api/takes", practiceBody({ text }));
  state.takes = new Map(answer.recorded.map((take) => [take.line, take.state]));
  editor.markTakes(answer.recorded);
  $("takes").replaceChildren(...answer.recorded.map(takeItem));
  $("no-takes").hidden = answer.recorded.length > 0;
  if (state.plan) drawStrip(state.plan);
}

function takeItem(take) {
  const li = document.createElement("li");
  const button = li.appendChild(document.createElement("button"));
  button.type = "button";
  button.className = take.state;
  button.textContent = `Line ${take.line}: ${take.file}`;
  const why = button.appendChild(document.createElement("span"));
  why.className = "why";
  why.textContent = TAKE_STATES[take.state];
  button.addEventListener("click", () => editor.jumpTo(take.line, 1));
  return li;
}

// ------------------------------------------------------------------ the page

function selectTab(name) {
  for (const button of document.querySelectorAll(".tabs button")) {
    button.setAttribute("aria-selected", String(button.dataset.tab === name));
    button.tabIndex = button.dataset.tab === name ? 0 : -1;
  }
  for (const tab of document.querySelectorAll(".tab")) tab.hidden = tab.id !== `tab-${name}`;
}

// The tabs as a tab list: the arrow keys, Home and End move between them (the chosen one is in the Tab order).
function moveTab(event) {
  const tabs = [...document.querySelectorAll(".tabs button")];
  const at = tabs.indexOf(event.target);
  const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
  if (at < 0 || to === undefined) return;
  event.preventDefault();
  const chosen = tabs[(to + tabs.length) % tabs.length];
  selectTab(chosen.dataset.tab);
  chosen.focus();
}

async function loadVoices() {
  const answer = await api("/api/voices");
  $("voice").append(...answer.voices.map((v) => new Option(`${v.name} (${v.id})`, v.id)));
  $("ambience").append(...answer.ambiences.map((a) => new Option(a, a)));
}

function wire() {
  for (const button of document.querySelectorAll(".tabs button")) {
    button.addEventListener("click", () => selectTab(button.dataset.tab));
  }
  document.querySelector(".tabs").addEventListener("keydown", moveTab);
  $("tag-filter").addEventListener("change", showLibrary);
  $("review").addEventListener("change", () => editor.relint());
  $("save").addEventListener("click", save);
  $("copy").addEventListener("click", () => createPractice(copyName(state.name), state.id));
  $("keep-mine").addEventListener("click", () => saveOver(state.conflict.version));
  $("load-disk").addEventListener("click", () => {
    state.version = state.conflict.version;
    editor.setText(state.conflict.text);
    hideConflict();
    setDirty(false);
  });
  $("new-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await createPractice($("new-name").value, $("new-from").value);
      $("new-name").value = "";
      say("new-status", "");
    } catch (err) {
      say("new-status", problemText(err), true);
    }
  });
  $("play-cursor").addEventListener("click", () => hear({ line: state.cursorLine }));
  $("player").addEventListener("timeupdate", followPlayback);
  $("player").addEventListener("ended", () => { editor.highlightLine(null); state.playing = null; });
  $("values-form").addEventListener("submit", exportOne);
  $("add-client").addEventListener("click", () => addClient());
  $("export-clients").addEventListener("click", exportClients);
  $("record-start").addEventListener("click", () => startRecording());
  $("record-retake").addEventListener("click", () => startRecording(recorder.line.number));
  $("record-stop").addEventListener("click", stopRecording);
  $("record-keep").addEventListener("click", keepTake);
  $("csv-file").addEventListener("change", (event) => event.target.files[0] && loadCsv(event.target.files[0]));
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      event.preventDefault();
      save();
    }
  });
  window.addEventListener("beforeunload", (event) => { if (state.dirty) event.preventDefault(); });
  setInterval(() => watchDisk().catch(() => {}), POLL_MS);
}

async function start() {
  wire();
  drawClientsHeader();
  await Promise.all([loadLibrary(), loadVoices()]);
  const first = state.library.find((p) => !p.builtin) || state.library[0];
  if (first) await openPractice(first.id);
}

start().catch((err) => say("new-status", err.message, true));
