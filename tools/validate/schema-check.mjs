// Shared by validate-k8s.mjs and validate-gateways.mjs: YAML loading and strict validation of one
// Kubernetes-style object against the JSON schemas shipped in the kubernetes-models packages.
//
// Strict mode: those schemas do not set additionalProperties:false, so an unknown field (a typo)
// would pass. The compiled validator therefore runs over a Proxy of the object that records which
// keys it reads: it reads every declared property of an object it descends into and iterates all keys
// of map-typed objects, so a key it never read is not in the schema. Objects the validator never looks
// into (free-form / preserve-unknown-fields) are not judged.
import fs from "node:fs";
import { createRequire } from "node:module";
import YAML from "yaml";

const require = createRequire(import.meta.url);

export const ident = (o) => `${o.kind}/${o.metadata?.name}`;

/** Every document of a YAML file; YAML errors and warnings go to `problem(message)`. */
export function loadYamlDocs(file, problem) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"), { uniqueKeys: true });
  const out = [];
  for (const d of docs) {
    for (const e of [...d.errors, ...d.warnings]) problem(`YAML: ${e.message.split("\n")[0]}`);
    const obj = d.toJS();
    if (obj !== null && obj !== undefined) out.push(obj);
  }
  return out;
}

const PACKAGES = ["kubernetes-models", "@kubernetes-models/prometheus-operator"];
// ES-module-only packages: loaded ahead with preload(), since import() is asynchronous.
const ESM_PACKAGES = ["@kubernetes-models/gateway-api", "@kubernetes-models/istio", "@kubernetes-models/traefik"];
const modelCache = new Map();

/** Makes the models of `objects` from the ES-module-only packages available to validateObject. */
export async function preload(objects) {
  for (const { apiVersion, kind } of objects) {
    const key = `${apiVersion}/${kind}`;
    if (modelCache.get(key)) continue;
    for (const pkg of ESM_PACKAGES) {
      try {
        const m = await import(`${pkg}/${apiVersion}/${kind}`);
        if (m[kind]) {
          modelCache.set(key, m[kind]);
          break;
        }
      } catch (e) {
        if (e.code !== "ERR_MODULE_NOT_FOUND" && e.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw e;
      }
    }
  }
}

export function modelFor(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (modelCache.get(key)) return modelCache.get(key);
  let model = null;
  for (const pkg of PACKAGES) {
    try {
      const m = require(`${pkg}/${apiVersion}/${kind}`);
      model = m[kind] ?? null;
      if (model) break;
    } catch (e) {
      if (e.code !== "MODULE_NOT_FOUND" && e.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw e;
    }
  }
  modelCache.set(key, model);
  return model;
}

// Deep copy whose plain objects are Proxies recording which keys the validator reads.
function tracked(value, path, registry) {
  if (Array.isArray(value)) return value.map((v, i) => tracked(v, `${path}[${i}]`, registry));
  if (value && typeof value === "object") {
    const target = {};
    for (const [k, v] of Object.entries(value)) target[k] = tracked(v, `${path}.${k}`, registry);
    const entry = { path, keys: Object.keys(target), read: new Set() };
    registry.push(entry);
    return new Proxy(target, {
      get(t, prop, recv) {
        if (typeof prop === "string") entry.read.add(prop);
        return Reflect.get(t, prop, recv);
      },
    });
  }
  return value;
}

/** Returns a list of problem strings for one object (empty = valid). */
export function validateObject(obj) {
  const where = ident(obj);
  if (!obj || typeof obj !== "object" || !obj.apiVersion || !obj.kind) return [`${where}: missing apiVersion/kind`];
  const model = modelFor(obj.apiVersion, obj.kind);
  if (!model) return [`${where}: no schema known for ${obj.apiVersion} ${obj.kind}`];
  // runs the compiled schema validator on `this`
  return strictly(where, obj, (proxy) => model.prototype.validate.call(proxy));
}

/** Validates `value` with a compiled ajv function (one of a package's _schemas), strictly. */
export function validateWith(where, value, compiled) {
  return strictly(where, value, (proxy) => {
    if (!compiled(proxy)) throw Object.assign(new Error("invalid"), { errors: compiled.errors });
  });
}

function strictly(where, value, run) {
  const registry = [];
  const proxy = tracked(value, "", registry);
  const out = [];
  try {
    run(proxy);
  } catch (e) {
    const errs = e.errors ?? [];
    if (errs.length) for (const err of errs) out.push(`${where}: ${err.instancePath || "/"} ${err.message}${err.params?.allowedValues ? ` (${err.params.allowedValues.join("|")})` : ""}`);
    else out.push(`${where}: ${e.message}`);
  }
  for (const { path: p, keys, read } of registry) {
    if (read.size === 0) continue; // the schema does not describe this object's fields
    for (const k of keys) if (!read.has(k)) out.push(`${where}: ${p || "."}: unknown field "${k}"`);
  }
  return [...new Set(out)];
}
