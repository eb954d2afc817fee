// Page behaviour: charts from the page's JSON block, forms that call the API.
// Data arrive as JSON (never as script); text is set with textContent only.
import { barChart, lineChart } from "./charts.js";

const data = JSON.parse(document.getElementById("osl-data")?.textContent || "{}");
const t = (key) => (data.t && data.t[key]) || key;

function plot(id) {
  return document.querySelector(`#${id} .plot`);
}

function column(rows, key) {
  return rows.map((r) => (r[key] === undefined ? null : r[key]));
}

async function api(method, url, body, contentType = "application/json") {
  const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = contentType;
    init.body = contentType === "application/json" ? JSON.stringify(body) : body;
  }
  const response = await fetch(url, init);
  let payload = null;
  try { payload = await response.json(); } catch (e) { payload = null; }
  if (!response.ok) {
    const message = payload && payload.error ? payload.error.message : `HTTP ${response.status}`;
    const failure = new Error(message);
    failure.payload = payload;
    throw failure;
  }
  return payload;
}

function say(node, text, kind = "") {
  if (!node) return;
  node.textContent = text;
  node.className = "status " + kind;
}

function projectPage() {
  const monthly = data.monthly || [];
  const months = column(monthly, "month");
  const empty = { empty: t("web.js.no_data") };
  if (plot("chart-commits")) barChart(plot("chart-commits"), months, [{ name: t("report.commits"), values: column(monthly, "commits") }], empty);
  if (plot("chart-contributors")) lineChart(plot("chart-contributors"), months, [
    { name: t("report.active"), values: column(monthly, "active_contributors") },
    { name: t("report.new"), values: column(monthly, "new_contributors") }], empty);
  if (plot("chart-lines")) barChart(plot("chart-lines"), months, [
    { name: t("report.added"), values: column(monthly, "lines_added") },
    { name: t("report.deleted"), values: column(monthly, "lines_deleted") }], empty);
  const events = data.events || [];
  const eventMonths = column(events, "month");
  if (plot("chart-events")) lineChart(plot("chart-events"), eventMonths,
    ["activity", "participants", "stars", "change_requests", "issues_new"]
      .filter((k) => events.some((r) => r[k] !== undefined))
      .map((k) => ({ name: t("web.metric." + k), values: column(events, k) })), empty);
  if (plot("chart-openrank")) {
    const values = column(events, "openrank");
    if (values.some((v) => v !== null)) lineChart(plot("chart-openrank"), eventMonths, [{ name: "OpenRank", values }], empty);
    else plot("chart-openrank").textContent = t("web.js.no_data");
  }
}

function comparePage() {
  const series = data.series || [];
  const months = [...new Set(series.flatMap((s) => s.monthly.map((m) => m.month)))].sort();
  const valuesOf = (s, key) => {
    const byMonth = new Map(s.monthly.map((m) => [m.month, m[key]]));
    return months.map((m) => (byMonth.has(m) ? byMonth.get(m) : null));
  };
  const empty = { empty: t("web.js.no_data") };
  if (plot("chart-compare-commits")) lineChart(plot("chart-compare-commits"), months, series.map((s) => ({ name: s.name, values: valuesOf(s, "commits") })), empty);
  if (plot("chart-compare-active")) lineChart(plot("chart-compare-active"), months, series.map((s) => ({ name: s.name, values: valuesOf(s, "active_contributors") })), empty);
}

function projectsPage() {
  const form = document.getElementById("ingest-form");
  const box = document.getElementById("ingest-status");
  if (!form || !box) return;
  const phase = box.querySelector(".phase"), bar = box.querySelector("progress");
  const count = box.querySelector(".count"), message = box.querySelector(".message");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    box.hidden = false;
    message.replaceChildren();
    phase.textContent = t("web.js.queued");
    try {
      let job = await api("POST", "/api/ingest", {
        location: document.getElementById("ingest-location").value,
        ref: document.getElementById("ingest-ref").value || "HEAD",
      });
      while (job.state === "queued" || job.state === "running") {
        phase.textContent = job.state === "queued" ? t("web.js.queued") : `${t("web.js.running")} ${job.phase || ""}`;
        if (job.total) { bar.max = job.total; bar.value = job.done; count.textContent = `${job.done} / ${job.total}`; }
        else { bar.removeAttribute("value"); count.textContent = job.done ? String(job.done) : ""; }
        await new Promise((resolve) => setTimeout(resolve, 400));
        job = await api("GET", `/api/jobs/${encodeURIComponent(job.id)}`);
      }
      if (job.state === "done") {
        phase.textContent = t("web.js.done");
        bar.max = 1; bar.value = 1; count.textContent = "";
        const link = document.createElement("a");
        link.href = `/project?id=${encodeURIComponent(job.project)}`;
        link.id = "ingest-open";
        link.textContent = t("web.js.open");
        message.appendChild(link);
      } else {
        phase.textContent = t("web.js.failed");
        message.textContent = job.error || "";
        message.className = "message error";
      }
    } catch (error) {
      phase.textContent = t("web.js.failed");
      message.textContent = error.message;
      message.className = "message error";
    }
  });
}

function financePage() {
  const movements = data.movements || [];
  if (plot("chart-movements")) barChart(plot("chart-movements"), column(movements, "month"),
    ["new", "expansion", "reactivation", "contraction", "churn"].map((k) => ({ name: t("web.finance.movement." + k), values: column(movements, k) })),
    { empty: t("web.js.no_data") });
  const form = document.getElementById("billing-form");
  if (!form) return;
  const status = document.getElementById("billing-status");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = document.getElementById("billing-file").files[0];
    if (!file) { say(status, t("web.js.pick_file"), "error"); return; }
    const name = document.getElementById("billing-name").value.trim() || file.name;
    try {
      await api("PUT", `/api/billing/${encodeURIComponent(name)}`, await file.arrayBuffer(), "text/csv");
      say(status, t("web.js.uploaded"), "ok");
      window.location.assign(`/finance?billing=${encodeURIComponent(name)}`);
    } catch (error) { say(status, `${t("web.js.failed")} ${error.message}`, "error"); }
  });
}

// One answer of the profile form, as the API takes it (null: not answered). The control
// kinds come from the page (data-type, set from the profile schema), never from a list here.
function readField(node) {
  const type = node.dataset.type;
  if (type === "enum_list") return [...node.querySelectorAll("input[type=checkbox]:checked")].map((i) => i.value);
  if (type === "bool") {
    const picked = node.querySelector("input[type=radio]:checked");
    return !picked || picked.value === "" ? null : picked.value === "true";
  }
  const input = node.querySelector("input, select");
  if ((type === "integer" || type === "number") && input.validity && input.validity.badInput) return input.value || "?";
  const raw = (input.value || "").trim();
  if (raw === "") return null;
  if (type === "integer" || type === "number") {
    const n = Number(raw);
    return Number.isFinite(n) ? n : raw; // a non-number goes as text: the server names the problem
  }
  return raw;
}

function assessPage() {
  const form = document.getElementById("profile-form");
  if (!form) return;
  const status = document.getElementById("profile-status");
  const nodes = [...form.querySelectorAll("[data-field]")];
  let dirty = false;
  const nameOf = () => document.getElementById("profile-name").value.trim();
  const links = () => ({
    project: document.getElementById("profile-project").value || null,
    billing: document.getElementById("profile-billing").value || null,
  });
  const clearErrors = () => nodes.forEach((node) => {
    node.classList.remove("invalid");
    const box = node.querySelector(".field-error");
    box.hidden = true;
    box.textContent = "";
  });
  const showErrors = (fields) => {
    let first = null;
    for (const [path, message] of Object.entries(fields || {})) {
      const node = nodes.find((n) => n.dataset.field === path);
      if (!node) continue;
      node.classList.add("invalid");
      const box = node.querySelector(".field-error");
      box.textContent = message;
      box.hidden = false;
      first = first || node;
    }
    if (first) {
      first.scrollIntoView({ block: "center" });
      const control = first.querySelector("input, select");
      if (control) control.focus({ preventScroll: true });
    }
  };
  const saveAndAssess = async (payload, statusNode) => {
    const name = nameOf();
    const path = `/api/profiles/${encodeURIComponent(name)}`;
    say(statusNode, t("web.js.assessing"));
    try {
      await api("PUT", `${path}?lang=${encodeURIComponent(data.lang || "en")}`, { ...payload, ...links() });
      say(statusNode, t("web.js.saved"));
      await api("POST", `${path}/assess?lang=${encodeURIComponent(data.lang || "en")}`, {});
      window.location.assign(`/assess?profile=${encodeURIComponent(name)}`);
    } catch (error) {
      say(statusNode, `${t("web.js.failed")} ${error.message}`, "error");
      if (error.payload && error.payload.error) showErrors(error.payload.error.fields);
    }
  };
  // A value the user changes overrides what the repository suggested: the badge says so.
  for (const node of nodes) {
    const mark = () => {
      dirty = true;
      const badge = node.querySelector(".badge");
      if (!badge || badge.classList.contains("overridden")) return;
      badge.classList.add("overridden");
      const note = document.createElement("span");
      note.className = "override-note";
      note.textContent = ` — ${t("web.js.overridden")}`;
      badge.appendChild(note);
    };
    node.addEventListener("change", mark);
    node.addEventListener("input", mark);
  }
  const fill = () => {
    const query = new URLSearchParams();
    if (data.saved && nameOf()) query.set("profile", nameOf());
    if (links().project) query.set("project", links().project);
    window.location.assign(`/assess?${query}`);
  };
  document.getElementById("profile-fill").addEventListener("click", fill);
  document.getElementById("profile-project").addEventListener("change", () => { if (!dirty) fill(); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const fields = {};
    for (const node of nodes) {
      const value = readField(node);
      if (value === null || (Array.isArray(value) && value.length === 0)) continue;
      fields[node.dataset.field] = value;
    }
    await saveAndAssess({ fields }, status);
  });
  const yaml = document.getElementById("yaml-form");
  if (yaml) yaml.addEventListener("submit", async (event) => {
    event.preventDefault();
    await saveAndAssess({ body: document.getElementById("profile-body").value }, document.getElementById("yaml-status"));
  });
}

const pages = { project: projectPage, compare: comparePage, projects: projectsPage, finance: financePage, assess: assessPage };
if (pages[data.page]) pages[data.page]();
document.documentElement.dataset.ready = "true";
