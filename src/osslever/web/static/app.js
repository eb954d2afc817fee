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
    throw new Error(message);
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

function assessPage() {
  const form = document.getElementById("profile-form");
  if (!form) return;
  const status = document.getElementById("profile-status");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = document.getElementById("profile-name").value.trim();
    const path = `/api/profiles/${encodeURIComponent(name)}`;
    say(status, t("web.js.assessing"));
    try {
      await api("PUT", path, {
        body: document.getElementById("profile-body").value,
        project: document.getElementById("profile-project").value || null,
        billing: document.getElementById("profile-billing").value || null,
      });
      say(status, t("web.js.saved"));
      await api("POST", `${path}/assess?lang=${encodeURIComponent(data.lang || "en")}`, {});
      window.location.assign(`/assess?profile=${encodeURIComponent(name)}`);
    } catch (error) { say(status, `${t("web.js.failed")} ${error.message}`, "error"); }
  });
}

const pages = { project: projectPage, compare: comparePage, projects: projectsPage, finance: financePage, assess: assessPage };
if (pages[data.page]) pages[data.page]();
document.documentElement.dataset.ready = "true";
