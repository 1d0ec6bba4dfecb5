#!/usr/bin/env node
// Validates Tessera's kustomize base (k8s/) offline.
//
//   node tools/validate/validate-k8s.mjs [k8s-dir] [-v]      exit 0 = every object is valid
//
// 1. Renders the kustomization with a tiny renderer (resources + configMapGenerator; any
//    other kustomization field is refused rather than silently ignored).  When `kubectl`
//    is on PATH the result is cross-checked against `kubectl kustomize`.
// 2. Validates every rendered object, plus every other *.yaml in the directory (the
//    Secret example), against the Kubernetes JSON schemas shipped in `kubernetes-models`
//    (generated from the upstream OpenAPI spec) and, for ServiceMonitor, the
//    prometheus-operator CRD schema in `@kubernetes-models/prometheus-operator`.
// 3. Strict mode: those schemas do not set additionalProperties:false, so an unknown field
//    (a typo such as `imagePullPolcy`) would pass.  We therefore run the compiled schema
//    validator over a Proxy of the object and record which keys it reads: the generated
//    code reads every declared property of an object it descends into and iterates all
//    keys of map-typed objects, so a key it never read is not in the schema.  Objects the
//    validator never looks into (free-form / preserve-unknown-fields) are not judged.
//    This equals kubeconform -strict semantics, derived from the same upstream schema.
// 4. Consistency checks specific to Tessera (selectors, port names, referenced objects,
//    env keys known to conf/tessera.json, enableServiceLinks).
// 5. Negative self-tests: mutated copies (unknown field, wrong type, missing required
//    field, CRD typo, Secret typo) must be rejected, or the script fails.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { ident, loadYamlDocs as loadDocs, validateObject } from "./schema-check.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const verbose = args.includes("-v");
const dir = path.resolve(args.find((a) => !a.startsWith("-")) ?? path.join(here, "../../k8s"));
const problems = [];
const rel = (p) => path.relative(dir, p) || p;

// ---------------------------------------------------------------- rendering
const loadYamlDocs = (file) => loadDocs(file, (m) => problems.push(`${rel(file)}: ${m}`));

function render(kdir) {
  const kfile = ["kustomization.yaml", "kustomization.yml", "Kustomization"].map((f) => path.join(kdir, f)).find(fs.existsSync);
  if (!kfile) throw new Error(`no kustomization.yaml in ${kdir}`);
  const [k] = loadYamlDocs(kfile);
  const supported = new Set(["apiVersion", "kind", "resources", "configMapGenerator", "generatorOptions"]);
  for (const key of Object.keys(k)) {
    if (!supported.has(key)) throw new Error(`kustomization field "${key}" is not implemented by this renderer (validate-k8s.mjs render())`);
  }
  const objects = [];
  const listed = new Set();
  for (const r of k.resources ?? []) {
    const p = path.resolve(kdir, r);
    if (!fs.existsSync(p) || !fs.statSync(p).isFile()) throw new Error(`resource "${r}" is not a file (directories/remote bases are not implemented)`);
    listed.add(p);
    for (const o of loadYamlDocs(p)) objects.push({ obj: o, origin: r });
  }
  for (const g of k.configMapGenerator ?? []) {
    const opts = { ...(k.generatorOptions ?? {}), ...(g.options ?? {}) };
    for (const key of Object.keys(g)) {
      if (!["name", "files", "literals", "options"].includes(key)) throw new Error(`configMapGenerator field "${key}" is not implemented`);
    }
    if (!opts.disableNameSuffixHash) throw new Error(`configMapGenerator ${g.name}: name-suffix hashing is not implemented; set options.disableNameSuffixHash: true`);
    const data = {};
    for (const f of g.files ?? []) {
      const [key, file] = f.includes("=") ? f.split(/=(.*)/s) : [path.basename(f), f];
      const p = path.resolve(kdir, file);
      if (!p.startsWith(kdir + path.sep)) throw new Error(`configMapGenerator file ${f} is outside the kustomization root`);
      data[key] = fs.readFileSync(p, "utf8");
    }
    for (const l of g.literals ?? []) {
      const [key, value] = l.split(/=(.*)/s);
      data[key] = value;
    }
    const metadata = { name: g.name };
    if (opts.labels) metadata.labels = { ...opts.labels };
    if (opts.annotations) metadata.annotations = { ...opts.annotations };
    objects.push({ obj: { apiVersion: "v1", kind: "ConfigMap", metadata, data }, origin: `configMapGenerator ${g.name}` });
  }
  return { objects, listed };
}

const canon = (v) =>
  Array.isArray(v) ? v.map(canon) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])])) : v;

function crossCheckKubectl(objects) {
  let text;
  try {
    text = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60000 });
  } catch (e) {
    if (e.code === "ENOENT") return "kubectl not on PATH: kustomize cross-check skipped";
    problems.push(`kubectl kustomize failed: ${(e.stderr || e.message).trim().split("\n").pop()}`);
    return "kubectl kustomize FAILED";
  }
  const theirs = YAML.parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);
  const a = new Map(objects.map(({ obj }) => [ident(obj), JSON.stringify(canon(obj))]));
  const b = new Map(theirs.map((o) => [ident(o), JSON.stringify(canon(o))]));
  for (const id of new Set([...a.keys(), ...b.keys()])) {
    if (!a.has(id)) problems.push(`render: kubectl kustomize produces ${id}, this renderer does not`);
    else if (!b.has(id)) problems.push(`render: this renderer produces ${id}, kubectl kustomize does not`);
    else if (a.get(id) !== b.get(id)) problems.push(`render: ${id} differs from kubectl kustomize output`);
  }
  return "kubectl kustomize cross-check OK";
}

// ---------------------------------------------------------------- schema validation
// ---------------------------------------------------------------- Tessera-specific consistency
function knownTesseraKeys() {
  const f = path.resolve(dir, "../conf/tessera.json");
  if (!fs.existsSync(f)) return null;
  return new Set(Object.keys(JSON.parse(fs.readFileSync(f, "utf8"))));
}
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

function consistency(rendered, extras) {
  const out = [];
  const all = [...rendered, ...extras];
  const find = (kind, name) => all.find((o) => o.kind === kind && o.metadata?.name === name);
  const known = knownTesseraKeys();
  const checkKey = (k, where) => {
    if (known && k.startsWith("TESSERA_") && !known.has(k)) out.push(`${where}: ${k} is not a key of conf/tessera.json (Tessera refuses unknown keys)`);
  };
  for (const o of all) {
    if (o.kind === "ConfigMap" || o.kind === "Secret")
      for (const k of Object.keys({ ...o.data, ...o.stringData })) checkKey(k, ident(o));
  }
  // With TESSERA_MANAGEMENT_PORT set, the public port serves no metrics or health: probes and scrapes must
  // target the management port, or every pod would fail its probes.
  const managementPort = Number(find("ConfigMap", "tessera-config")?.data?.TESSERA_MANAGEMENT_PORT) || null;
  const containerPortNumbers = new Map();
  for (const d of rendered.filter((o) => o.kind === "Deployment")) {
    const pod = d.spec?.template;
    const where = ident(d);
    if (!matches(d.spec?.selector?.matchLabels, pod?.metadata?.labels)) out.push(`${where}: selector does not match template labels`);
    if (pod?.spec?.enableServiceLinks !== false) out.push(`${where}: set enableServiceLinks: false (service links inject TESSERA_* env vars for Service "tessera")`);
    const sa = pod?.spec?.serviceAccountName;
    if (sa && !find("ServiceAccount", sa)) out.push(`${where}: serviceAccount ${sa} is not defined`);
    for (const c of pod?.spec?.containers ?? []) {
      for (const e of c.env ?? []) checkKey(e.name, `${where} env`);
      for (const ef of c.envFrom ?? []) {
        const ref = ef.configMapRef ?? ef.secretRef;
        const kind = ef.configMapRef ? "ConfigMap" : "Secret";
        if (ref && !find(kind, ref.name)) out.push(`${where}: envFrom ${kind} ${ref.name} is neither rendered nor in an example file`);
      }
      const byName = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
      for (const [name, number] of byName) containerPortNumbers.set(name, number);
      const probes = { livenessProbe: "/health/live", readinessProbe: "/health/ready", startupProbe: null };
      for (const [p, want] of Object.entries(probes)) {
        if (!c[p]) out.push(`${where}: container ${c.name} has no ${p}`);
        else if (want && c[p].httpGet?.path !== want) out.push(`${where}: ${p} should GET ${want}`);
        const port = c[p]?.httpGet?.port;
        const number = typeof port === "string" ? byName.get(port) : port;
        if (c[p] && managementPort && number !== managementPort)
          out.push(`${where}: ${p} targets port ${port}, not TESSERA_MANAGEMENT_PORT ${managementPort} (the only port serving health)`);
      }
    }
    const ports = new Set((pod?.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => p.name)));
    for (const s of rendered.filter((o) => o.kind === "Service" && matches(o.spec?.selector, pod?.metadata?.labels))) {
      for (const p of s.spec.ports ?? [])
        if (typeof p.targetPort === "string" && !ports.has(p.targetPort)) out.push(`${ident(s)}: targetPort ${p.targetPort} is not a container port name`);
    }
    for (const x of rendered.filter((o) => o.kind === "PodDisruptionBudget"))
      if (!matches(x.spec?.selector?.matchLabels, pod?.metadata?.labels)) out.push(`${ident(x)}: selector matches no Tessera pod`);
  }
  out.push(...clusterSecurity(rendered, extras, find));
  for (const s of rendered.filter((o) => o.kind === "Service")) {
    if (!rendered.some((d) => d.kind === "Deployment" && matches(s.spec?.selector, d.spec?.template?.metadata?.labels)))
      out.push(`${ident(s)}: selector matches no Deployment's pods`);
  }
  for (const h of rendered.filter((o) => o.kind === "HorizontalPodAutoscaler")) {
    const t = h.spec?.scaleTargetRef;
    if (!find(t?.kind, t?.name)) out.push(`${ident(h)}: scaleTargetRef ${t?.kind}/${t?.name} not found`);
  }
  for (const b of rendered.filter((o) => o.kind === "RoleBinding")) {
    if (!find(b.roleRef?.kind, b.roleRef?.name)) out.push(`${ident(b)}: roleRef ${b.roleRef?.kind}/${b.roleRef?.name} not found`);
    for (const s of b.subjects ?? []) if (s.kind === "ServiceAccount" && !find("ServiceAccount", s.name)) out.push(`${ident(b)}: subject ServiceAccount ${s.name} not found`);
  }
  for (const m of rendered.filter((o) => o.kind === "ServiceMonitor")) {
    const svcs = rendered.filter((s) => s.kind === "Service" && matches(m.spec?.selector?.matchLabels, s.metadata?.labels));
    if (svcs.length === 0) out.push(`${ident(m)}: selector matches no Service`);
    for (const e of m.spec?.endpoints ?? [])
      for (const s of svcs) {
        const port = (s.spec.ports ?? []).find((p) => p.name === e.port);
        if (!port) out.push(`${ident(m)}: Service ${s.metadata.name} has no port named ${e.port}`);
        const target = typeof port?.targetPort === "string" ? containerPortNumbers.get(port.targetPort) : port?.targetPort ?? port?.port;
        if (port && managementPort && target !== managementPort)
          out.push(`${ident(m)}: scrapes ${s.metadata.name}:${e.port}, not TESSERA_MANAGEMENT_PORT ${managementPort} (the only port serving /metrics)`);
      }
  }
  return out;
}

// With TESSERA_CLUSTER=true a node refuses to start without the cluster secret and the event bus's PEM
// files; the NetworkPolicy can only name the bus port if it is fixed; and the cluster ports must be open
// to Tessera pods alone, since Hazelcast (open source) authenticates no member.
function clusterSecurity(rendered, extras, find) {
  const out = [];
  const config = find("ConfigMap", "tessera-config")?.data ?? {};
  if (String(config.TESSERA_CLUSTER) !== "true") return out;
  const secrets = Object.assign({}, ...extras.filter((o) => o.kind === "Secret").map((o) => ({ ...o.data, ...o.stringData })));
  if (!config.TESSERA_CLUSTER_SECRET && !secrets.TESSERA_CLUSTER_SECRET) out.push("TESSERA_CLUSTER=true but no ConfigMap or Secret sets TESSERA_CLUSTER_SECRET");
  for (const d of rendered.filter((o) => o.kind === "Deployment")) {
    const pod = d.spec?.template;
    for (const c of pod?.spec?.containers ?? []) {
      const mounts = (c.volumeMounts ?? []).map((m) => m.mountPath.replace(/\/+$/, "") + "/");
      for (const k of ["TESSERA_CLUSTER_TLS_CERT", "TESSERA_CLUSTER_TLS_KEY", "TESSERA_CLUSTER_TLS_CA"]) {
        if (!config[k]) out.push(`${ident(d)}: TESSERA_CLUSTER=true needs ${k} (the event bus speaks mutual TLS)`);
        else if (!mounts.some((m) => config[k].startsWith(m))) out.push(`${ident(d)}: ${k}=${config[k]} is under no volumeMount of container ${c.name}`);
      }
      const byName = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
      const numbers = new Set(byName.values());
      const bus = Number(config.TESSERA_CLUSTER_BUS_PORT);
      if (!bus) out.push(`${ident(d)}: TESSERA_CLUSTER_BUS_PORT must be a fixed port (not 0) so a NetworkPolicy can name it`);
      else if (!numbers.has(bus)) out.push(`${ident(d)}: TESSERA_CLUSTER_BUS_PORT ${bus} is not a container port of ${c.name}`);
      const clusterPorts = new Set([Number(config.TESSERA_CLUSTER_PORT ?? 5701), bus]);
      const policies = rendered.filter((o) => o.kind === "NetworkPolicy" && matches(o.spec?.podSelector?.matchLabels, pod?.metadata?.labels));
      if (policies.length === 0) out.push(`${ident(d)}: no NetworkPolicy selects the Tessera pods (the cluster ports would be open to every pod)`);
      for (const np of policies) {
        const admitted = new Set();
        for (const rule of np.spec?.ingress ?? []) {
          for (const p of rule.ports ?? []) {
            const number = typeof p.port === "string" ? byName.get(p.port) : p.port;
            if (number === undefined) { out.push(`${ident(np)}: port ${p.port} is not a container port of ${c.name}`); continue; }
            if (!clusterPorts.has(number)) continue;
            admitted.add(number);
            const peersOnlyTessera = (rule.from ?? []).length > 0 && rule.from.every((f) => !f.ipBlock && !f.namespaceSelector
              && f.podSelector && matches(pod?.metadata?.labels, f.podSelector.matchLabels) && matches(f.podSelector.matchLabels, pod?.metadata?.labels));
            if (!peersOnlyTessera) out.push(`${ident(np)}: cluster port ${p.port} must be admitted from Tessera pods only`);
          }
          if (!rule.ports) out.push(`${ident(np)}: an ingress rule without ports admits its peers to the cluster ports too`);
        }
        for (const n of clusterPorts) if (!admitted.has(n)) out.push(`${ident(np)}: cluster port ${n} is not admitted from Tessera pods (nodes could not reach each other)`);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- negative self-tests
function selfTests(rendered, extras) {
  const clone = (o) => structuredClone(o);
  const dep = rendered.find((o) => o.kind === "Deployment");
  const sm = rendered.find((o) => o.kind === "ServiceMonitor");
  const sec = extras.find((o) => o.kind === "Secret");
  const cases = [];
  if (dep) {
    cases.push(["unknown field containers[0].imagePullPolcy", () => { const d = clone(dep); d.spec.template.spec.containers[0].imagePullPolcy = "Always"; return d; }]);
    cases.push(["unknown top-level spec field", () => { const d = clone(dep); d.spec.replica = 3; return d; }]);
    cases.push(["wrong type containerPort \"8080\"", () => { const d = clone(dep); d.spec.template.spec.containers[0].ports[0].containerPort = "8080"; return d; }]);
    cases.push(["missing required containers[0].name", () => { const d = clone(dep); delete d.spec.template.spec.containers[0].name; return d; }]);
    cases.push(["bad enum seccompProfile.type", () => { const d = clone(dep); d.spec.template.spec.securityContext.seccompProfile.type = "Default"; return d; }]);
  }
  if (sm) cases.push(["ServiceMonitor unknown field endpoints[0].honourLabels", () => { const m = clone(sm); m.spec.endpoints[0].honourLabels = true; return m; }]);
  if (sec) cases.push(["Secret unknown field strinData", () => { const s = clone(sec); s.strinData = s.stringData; delete s.stringData; return s; }]);
  let rejected = 0;
  for (const [name, make] of cases) {
    const errs = validateObject(make());
    if (errs.length > 0) rejected++;
    else problems.push(`self-test: validator ACCEPTED a bad object (${name})`);
    if (verbose) console.log(`self-test ${errs.length ? "rejected" : "ACCEPTED"}: ${name}${errs.length ? ` -> ${errs[0]}` : ""}`);
  }
  return `${rejected}/${cases.length} negative self-tests rejected`;
}

// ---------------------------------------------------------------- main
let rendered, extras, listed, kubectlNote;
try {
  const r = render(dir);
  listed = r.listed;
  rendered = r.objects;
} catch (e) {
  console.error(`validate-k8s: FAILED\n  render: ${e.message}`);
  process.exit(1);
}
kubectlNote = crossCheckKubectl(rendered);
const extraFiles = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && !/^kustomization\.ya?ml$/.test(f)).map((f) => path.join(dir, f)).filter((p) => !listed.has(p));
extras = extraFiles.flatMap((f) => loadYamlDocs(f).map((obj) => ({ obj, origin: rel(f) })));
if (!extras.some(({ obj }) => obj.kind === "Secret" && obj.metadata?.name === "tessera-secrets"))
  problems.push("secret.example.yaml with Secret tessera-secrets is missing (it must exist and must not be a kustomization resource)");

for (const { obj, origin } of [...rendered, ...extras]) {
  const errs = validateObject(obj);
  problems.push(...errs.map((e) => `${origin}: ${e}`));
  if (verbose) console.log(`${errs.length ? "FAIL" : "ok  "} ${obj.apiVersion} ${ident(obj)}  (${origin})`);
}
const ids = rendered.map(({ obj }) => `${ident(obj)}`);
for (const id of ids.filter((id, i) => ids.indexOf(id) !== i)) problems.push(`render: duplicate object ${id}`);
problems.push(...consistency(rendered.map((r) => r.obj), extras.map((r) => r.obj)));
const selfNote = selfTests(rendered.map((r) => r.obj), extras.map((r) => r.obj));

const summary = `${rendered.length} rendered + ${extras.length} example object(s); ${kubectlNote}; ${selfNote}`;
if (problems.length) {
  console.error(`validate-k8s: FAILED (${problems.length} problem(s))`);
  for (const p of problems) console.error(`  ${p}`);
  console.error(`  [${summary}]`);
  process.exit(1);
}
console.log(`validate-k8s: OK — ${summary}`);
