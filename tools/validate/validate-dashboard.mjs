#!/usr/bin/env node
// Validates a Grafana dashboard against Grafana's published schema and checks that every
// metric its PromQL uses exists in a Prometheus text-format scrape.
//
//   node tools/validate/validate-dashboard.mjs <dashboard.json> <metrics-scrape.txt>   exit 0 = ok
//
// Schema source.  `@grafana/schema` (the package Grafana publishes from its CUE "kinds")
// ships no JSON Schema: only TypeScript declarations (raw/dashboard/x/types.gen.d.ts and
// raw/composable/<panel>/panelcfg/x/types.gen.d.ts) plus default values.  No npm package
// ships the dashboard JSON Schema itself, so we convert those declarations to JSON Schema
// at run time with `ts-json-schema-generator` (interfaces -> additionalProperties:false,
// i.e. unknown fields are rejected) and validate with Ajv:
//   - the dashboard                 -> Dashboard (panels: Panel | RowPanel by `type`)
//   - each panel's options          -> <type>/panelcfg Options
//   - fieldConfig.defaults.custom   -> <type>/panelcfg FieldConfig (when the panel has one)
//   - each Prometheus query target  -> Dataquery from `@grafana/grafana-foundation-sdk`
//     (prometheus/types.gen.d.ts; @grafana/schema has no Prometheus query type)
// PromQL is parsed with `@prometheus-io/lezer-promql` (the grammar Prometheus' own UI uses),
// never with regular expressions; Grafana macros ($__rate_interval, ...) are substituted
// with a duration first.  Metric names come from VectorSelector identifiers and
// __name__="..." matchers; label names used in matchers and by/without clauses are checked
// against the scrape too (plus the labels Prometheus / prometheus-operator attach).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import { createGenerator } from "ts-json-schema-generator";
import { parser } from "@prometheus-io/lezer-promql";

const here = path.dirname(fileURLToPath(import.meta.url));
const [dashFile, scrapeFile] = process.argv.slice(2).filter((a) => !a.startsWith("-"));
if (!dashFile || !scrapeFile) {
  console.error("usage: validate-dashboard.mjs <dashboard.json> <metrics-scrape.txt>");
  process.exit(2);
}
// Labels that exist on every scraped series without being in the exposition.
const TARGET_LABELS = new Set(["job", "instance", "namespace", "pod", "service", "container", "endpoint"]);

// ---------------------------------------------------------------- schemas
const pkgDir = (name) => {
  const d = path.join(here, "node_modules", name);
  if (!fs.existsSync(d)) throw new Error(`${name} is not installed: run tools/validate/install.sh`);
  return d;
};
const grafanaSchemaDir = path.join(pkgDir("@grafana/schema"), "dist/types/raw");
const grafanaVersion = JSON.parse(fs.readFileSync(path.join(pkgDir("@grafana/schema"), "package.json"), "utf8")).version;

function tsSchema(file, type) {
  const gen = createGenerator({ path: file, type, skipTypeCheck: true, additionalProperties: false, expose: "export", topRef: true, jsDoc: "none" });
  return gen.createSchema(type);
}
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const compiled = new Map();
function validator(key, make) {
  if (!compiled.has(key)) compiled.set(key, ajv.compile(make()));
  return compiled.get(key);
}
function dashboardValidator() {
  return validator("dashboard", () => {
    const s = tsSchema(path.join(grafanaSchemaDir, "dashboard/x/types.gen.d.ts"), "Dashboard");
    // panels is Array<Panel | RowPanel>: pick the branch by `type` for readable errors.
    const byType = { if: { properties: { type: { const: "row" } }, required: ["type"] }, then: { $ref: "#/definitions/RowPanel" }, else: { $ref: "#/definitions/Panel" } };
    s.definitions.Dashboard.properties.panels.items = byType;
    return s;
  });
}
function panelValidators(type) {
  const file = path.join(grafanaSchemaDir, "composable", type, "panelcfg/x/types.gen.d.ts");
  if (!fs.existsSync(file)) return null;
  const src = fs.readFileSync(file, "utf8");
  const opt = /export interface Options\b/.test(src) ? validator(`${type}.Options`, () => tsSchema(file, "Options")) : null;
  const fc = /export interface FieldConfig\b/.test(src) ? validator(`${type}.FieldConfig`, () => tsSchema(file, "FieldConfig")) : null;
  return { opt, fc };
}
function promQueryValidator() {
  const file = path.join(pkgDir("@grafana/grafana-foundation-sdk"), "dist/prometheus/types.gen.d.ts");
  return validator("prometheus.Dataquery", () => tsSchema(file, "Dataquery"));
}
const fmt = (errors, prefix) =>
  (errors ?? [])
    .filter((e) => e.keyword !== "if")
    .map((e) => `${prefix}${e.instancePath || ""}: ${e.message}${e.keyword === "additionalProperties" ? ` "${e.params.additionalProperty}"` : ""}${e.params?.allowedValues ? ` (${e.params.allowedValues.join("|")})` : ""}`);

// ---------------------------------------------------------------- scrape
function parseScrape(text) {
  const types = new Map(); // family -> type
  const series = new Map(); // sample name -> Set(label names)
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    let m;
    if ((m = /^#\s+TYPE\s+(\S+)\s+(\S+)/.exec(line))) types.set(m[1], m[2]);
    if (line.startsWith("#")) continue;
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s/.exec(line);
    if (!m) continue;
    const labels = series.get(m[1]) ?? new Set();
    for (const l of (m[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/g)) labels.add(l[1]);
    series.set(m[1], labels);
  }
  return { types, series };
}

// ---------------------------------------------------------------- PromQL
const MACROS = /\$\{?__(rate_interval|interval|range|auto)\}?/g; // durations
const MACROS_NUM = /\$\{?__(interval_ms|range_ms|range_s)\}?/g; // numbers
const unquote = (s) => JSON.parse(s.startsWith("'") ? `"${s.slice(1, -1).replace(/"/g, '\\"')}"` : s.startsWith("`") ? JSON.stringify(s.slice(1, -1)) : s);

/** -> { metrics: [{name, labels:[...]}], groupings: [{labels:[...], metrics:[...]}], errors: [...] } */
function analyse(expr) {
  const q = expr.replace(MACROS, "5m").replace(MACROS_NUM, "300");
  const tree = parser.parse(q);
  const out = { metrics: [], groupings: [], errors: [] };
  tree.iterate({
    enter(n) {
      if (n.type.isError) {
        out.errors.push(`PromQL syntax error at column ${n.from + 1} near "${q.slice(Math.max(0, n.from - 10), n.from + 10)}"`);
        return false;
      }
    },
  });
  if (out.errors.length) return out;
  const text = (node) => q.slice(node.from, node.to);
  const selectors = (root) => {
    const found = [];
    const c = root.cursor();
    do {
      if (c.name !== "VectorSelector") continue;
      const node = c.node;
      let name = null;
      const labels = [];
      const id = node.getChild("Identifier");
      if (id) name = text(id);
      const lm = node.getChild("LabelMatchers");
      for (let ch = lm?.firstChild; ch; ch = ch.nextSibling) {
        if (ch.name === "QuotedLabelName") name = unquote(text(ch.getChild("StringLiteral")));
        if (ch.name !== "UnquotedLabelMatcher" && ch.name !== "QuotedLabelMatcher") continue;
        const ln = ch.getChild("LabelName") ?? ch.getChild("QuotedLabelName");
        const label = ln.name === "LabelName" ? text(ln) : unquote(text(ln.getChild("StringLiteral")));
        const op = text(ch.getChild("MatchOp"));
        const value = unquote(text(ch.getChild("StringLiteral")));
        if (label === "__name__") {
          if (op === "=") name = value;
          else out.errors.push(`cannot verify metric selector __name__${op}"${value}"`);
        } else labels.push(label);
      }
      if (name) found.push({ name, labels });
      else if (!lm || !/__name__/.test(text(lm))) out.errors.push(`selector "${text(node)}" has no metric name`);
    } while (c.next() && c.from < root.to);
    return found;
  };
  out.metrics = selectors(tree.topNode);
  const c = tree.cursor();
  do {
    if (c.name !== "AggregateExpr") continue;
    const mod = c.node.getChild("AggregateModifier");
    const grouping = mod?.getChild("GroupingLabels");
    if (!grouping) continue;
    const body = c.node.getChild("FunctionCallBody");
    if (body && /label_(replace|join)\s*\(/.test(text(body))) continue; // labels created in-query
    const labels = grouping.getChildren("LabelName").map(text);
    out.groupings.push({ labels, metrics: body ? selectors(body).map((m) => m.name) : [] });
  } while (c.next());
  return out;
}

// ---------------------------------------------------------------- checks
function checkDashboard(dash, scrape) {
  const problems = [];
  const stats = { panels: 0, queries: 0, metrics: new Set() };
  const validate = dashboardValidator();
  if (!validate(dash)) problems.push(...fmt(validate.errors, "schema: dashboard"));

  const vars = new Map((dash.templating?.list ?? []).map((v) => [v.name, v]));
  const ds = vars.get("datasource");
  if (!ds || ds.type !== "datasource" || ds.query !== "prometheus") problems.push('templating: need a variable "datasource" of type datasource with query "prometheus"');

  const checkExpr = (expr, where) => {
    stats.queries++;
    for (const ref of expr.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g))
      if (!ref[1].startsWith("__") && !vars.has(ref[1])) problems.push(`${where}: unknown variable $${ref[1]}`);
    const a = analyse(expr);
    problems.push(...a.errors.map((e) => `${where}: ${e}`));
    for (const { name, labels } of a.metrics) {
      stats.metrics.add(name);
      const have = scrape.series.get(name);
      if (!have) {
        const t = scrape.types.get(name);
        const hint = t === "histogram" ? ` (a ${t}: use ${name}_bucket/_count/_sum)` : t === "summary" ? ` (a ${t}: use ${name}_count/_sum)` : scrape.series.has(`${name}_total`) ? ` (did you mean ${name}_total?)` : "";
        problems.push(`${where}: metric ${name} is not in the scrape${hint}`);
        continue;
      }
      for (const l of labels) if (!have.has(l) && !TARGET_LABELS.has(l)) problems.push(`${where}: ${name} has no label "${l}" in the scrape`);
    }
    for (const g of a.groupings) {
      const known = new Set([...TARGET_LABELS, ...g.metrics.flatMap((m) => [...(scrape.series.get(m) ?? [])])]);
      if (g.metrics.some((m) => !scrape.series.has(m))) continue; // already reported
      for (const l of g.labels) if (g.metrics.length && !known.has(l)) problems.push(`${where}: grouping label "${l}" is on none of ${g.metrics.join(", ")}`);
    }
  };

  for (const v of dash.templating?.list ?? []) {
    if (v.type !== "query") continue;
    const q = typeof v.query === "string" ? v.query : v.query?.query ?? "";
    const m = /^\s*(label_values|query_result)\s*\((.*)\)\s*$/s.exec(q);
    if (m) checkExpr(m[1] === "label_values" ? m[2].replace(/,\s*[A-Za-z_][A-Za-z0-9_]*\s*$/, "") : m[2], `variable ${v.name}`);
    else if (q) problems.push(`variable ${v.name}: unsupported query "${q}" (use label_values(...) or query_result(...))`);
  }

  const ids = new Set();
  const walk = (panels) => {
    for (const p of panels ?? []) {
      const where = `panel ${p.id ?? "?"} "${p.title ?? ""}"`;
      if (p.id !== undefined) {
        if (ids.has(p.id)) problems.push(`${where}: duplicate panel id`);
        ids.add(p.id);
      }
      if (!p.gridPos) problems.push(`${where}: no gridPos`);
      if (p.type === "row") {
        walk(p.panels);
        continue;
      }
      stats.panels++;
      const pv = panelValidators(p.type);
      if (!pv) {
        problems.push(`${where}: no schema for panel type "${p.type}" in @grafana/schema`);
      } else {
        if (pv.opt && !pv.opt(p.options ?? {})) problems.push(...fmt(pv.opt.errors, `schema: ${where} options`));
        const custom = p.fieldConfig?.defaults?.custom;
        if (pv.fc && custom !== undefined && !pv.fc(custom)) problems.push(...fmt(pv.fc.errors, `schema: ${where} fieldConfig.defaults.custom`));
      }
      if (p.datasource && p.datasource.uid !== "${datasource}") problems.push(`${where}: datasource uid should be "\${datasource}"`);
      const refIds = new Set();
      if (!p.targets?.length) problems.push(`${where}: no queries`);
      for (const t of p.targets ?? []) {
        const tw = `${where} query ${t.refId ?? "?"}`;
        if (refIds.has(t.refId)) problems.push(`${tw}: duplicate refId`);
        refIds.add(t.refId);
        const dsType = t.datasource?.type ?? p.datasource?.type;
        if (dsType !== "prometheus") {
          problems.push(`${tw}: datasource type "${dsType}" is not prometheus`);
          continue;
        }
        const pq = promQueryValidator();
        if (!pq(t)) problems.push(...fmt(pq.errors, `schema: ${tw}`));
        if (t.datasource && t.datasource.uid !== "${datasource}") problems.push(`${tw}: datasource uid should be "\${datasource}"`);
        if (typeof t.expr === "string") checkExpr(t.expr, tw);
      }
    }
  };
  walk(dash.panels);
  return { problems, stats };
}

// Negative self-test: each mutation must produce at least one problem.
function selfTest(dash, scrape) {
  const first = (dash.panels ?? []).find((p) => p.type !== "row" && p.targets?.length);
  if (!first) return { ok: true, note: "self-test skipped (no query panel)" };
  const cases = {
    "unknown dashboard field": (d) => (d.titel = "x"),
    "unknown panel field": (d) => (d.panels[d.panels.indexOf(find(d))].titel = "x"),
    "wrong type gridPos.h": (d) => (find(d).gridPos.h = "8"),
    "unknown options field": (d) => (find(d).options.legendd = {}),
    "unknown query field": (d) => (find(d).targets[0].expression = "up"),
    "missing metric": (d) => (find(d).targets[0].expr = "rate(tessera_no_such_metric_total[5m])"),
    "PromQL syntax error": (d) => (find(d).targets[0].expr = "sum(rate(tessera_login_failures_total[5m])"),
  };
  function find(d) {
    return d.panels.find((p) => p.id === first.id);
  }
  const accepted = [];
  for (const [name, mutate] of Object.entries(cases)) {
    const d = structuredClone(dash);
    mutate(d);
    if (checkDashboard(d, scrape).problems.length === 0) accepted.push(name);
  }
  return { ok: accepted.length === 0, note: `${Object.keys(cases).length - accepted.length}/${Object.keys(cases).length} negative self-tests rejected`, accepted };
}

// ---------------------------------------------------------------- main
let dash, scrape;
try {
  dash = JSON.parse(fs.readFileSync(dashFile, "utf8"));
} catch (e) {
  console.error(`validate-dashboard: FAILED\n  ${dashFile}: ${e.message}`);
  process.exit(1);
}
try {
  scrape = parseScrape(fs.readFileSync(scrapeFile, "utf8"));
} catch (e) {
  console.error(`validate-dashboard: FAILED\n  ${scrapeFile}: ${e.message}`);
  process.exit(1);
}
if (scrape.series.size === 0) {
  console.error(`validate-dashboard: FAILED\n  ${scrapeFile}: no samples found`);
  process.exit(1);
}
const { problems, stats } = checkDashboard(dash, scrape);
const st = selfTest(dash, scrape);
if (!st.ok) problems.push(`self-test: the checker ACCEPTED a broken dashboard (${st.accepted.join(", ")})`);
const summary = `${stats.panels} panels, ${stats.queries} queries, ${stats.metrics.size} metric names; schema: @grafana/schema ${grafanaVersion}; ${st.note}`;
if (problems.length) {
  console.error(`validate-dashboard: FAILED (${problems.length} problem(s))`);
  for (const p of problems) console.error(`  ${p}`);
  console.error(`  [${summary}]`);
  process.exit(1);
}
if (process.argv.includes("-v")) console.log(`metrics: ${[...stats.metrics].sort().join(" ")}`);
console.log(`validate-dashboard: OK — ${summary}; all metrics present in ${path.basename(scrapeFile)}`);
