#!/usr/bin/env node
// Validates the gateway examples in conf/gateways/ offline against their published schemas.
//
//   node tools/validate/validate-gateways.mjs [conf/gateways] [-v]      exit 0 = every object is valid
//
// * Kubernetes objects (ingress-nginx Ingress, Gateway API HTTPRoute + ReferenceGrant, Istio
//   IstioOperator + AuthorizationPolicy): strict schema validation (schema-check.mjs) with the schemas of
//   kubernetes-models, @kubernetes-models/gateway-api and @kubernetes-models/istio. IstioOperator's
//   spec is not described by its published CRD schema, so meshConfig.extensionProviders are not judged
//   by a schema here (only the object's envelope is).
// * HTTPRoute's ExternalAuth filter belongs to Gateway API's experimental channel; the package's
//   (standard-channel) HTTPRoute schema does not list it. So each externalAuth object is validated
//   against the package's HTTPExternalAuthFilter schema, and the rest of the route against HTTPRoute.
// * Traefik's file-provider dynamic configuration (traefik-dynamic.yaml): each middleware is checked
//   against the Traefik Middleware CRD schema (@kubernetes-models/traefik), whose spec is the same
//   middleware body, and routers must name only declared middlewares and services.
// * Envoy's static configurations are checked in Java against Envoy's own protos (GatewayExamplesTest).
// * Negative self-tests: mutated copies (a typo in each kind) must be rejected, or the script fails.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadYamlDocs, preload, validateObject, validateWith } from "./schema-check.mjs";
import { validate as externalAuthSchema } from "@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1HTTPExternalAuthFilter";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const verbose = args.includes("-v");
const dir = path.resolve(args.find((a) => !a.startsWith("-")) ?? path.join(here, "../../conf/gateways"));
const problems = [];
const load = (file) => loadYamlDocs(path.join(dir, file), (m) => problems.push(`${file}: ${m}`));

const KUBERNETES = ["ingress-nginx.yaml", "gateway-api.yaml", "istio.yaml"];
const objects = KUBERNETES.flatMap((f) => load(f).map((obj) => ({ obj, origin: f })));

const [traefik] = load("traefik-dynamic.yaml");
const middlewares = Object.entries(traefik?.http?.middlewares ?? {});
for (const [name, body] of middlewares) {
  objects.push({ obj: { apiVersion: "traefik.io/v1alpha1", kind: "Middleware", metadata: { name }, spec: body }, origin: "traefik-dynamic.yaml" });
}
for (const [name, router] of Object.entries(traefik?.http?.routers ?? {})) {
  for (const m of router.middlewares ?? []) if (!traefik.http.middlewares?.[m]) problems.push(`traefik-dynamic.yaml: router ${name}: unknown middleware ${m}`);
  if (!traefik.http.services?.[router.service]) problems.push(`traefik-dynamic.yaml: router ${name}: unknown service ${router.service}`);
}

/** The checks one object gets; see the header for the two exceptions. */
function check(obj) {
  if (obj.kind === "IstioOperator") {
    const { spec, ...envelope } = obj;
    return validateObject(envelope);
  }
  if (obj.kind !== "HTTPRoute") return validateObject(obj);
  const route = structuredClone(obj);
  const errs = [];
  for (const [i, rule] of (route.spec?.rules ?? []).entries()) {
    for (const f of (rule.filters ?? []).filter((f) => f.type === "ExternalAuth")) {
      const { type, externalAuth, ...rest } = f;
      if (Object.keys(rest).length) errs.push(`HTTPRoute/${obj.metadata?.name}: rules[${i}] ExternalAuth filter: unknown field(s) ${Object.keys(rest)}`);
      if (!externalAuth) errs.push(`HTTPRoute/${obj.metadata?.name}: rules[${i}] ExternalAuth filter without externalAuth`);
      else errs.push(...validateWith(`HTTPRoute/${obj.metadata?.name} rules[${i}] externalAuth`, externalAuth, externalAuthSchema));
    }
    rule.filters = (rule.filters ?? []).filter((f) => f.type !== "ExternalAuth");
  }
  return [...errs, ...validateObject(route)];
}

await preload(objects.map(({ obj }) => obj));
for (const { obj, origin } of objects) {
  const errs = check(obj);
  problems.push(...errs.map((e) => `${origin}: ${e}`));
  if (verbose) console.log(`${errs.length ? "FAIL" : "ok  "} ${obj.apiVersion} ${obj.kind}/${obj.metadata?.name}  (${origin})`);
}

// Each kind must reject a typo, or the validation above proves nothing for it.
const find = (kind) => objects.find(({ obj }) => obj.kind === kind)?.obj;
const mutate = (kind, change) => () => { const o = structuredClone(find(kind)); change(o); return o; };
const cases = [
  ["Ingress unknown field spec.ingressClass", mutate("Ingress", (o) => { o.spec.ingressClass = "nginx"; })],
  ["HTTPRoute ExternalAuth typo allowedResponseHeader", mutate("HTTPRoute", (o) => { const h = o.spec.rules[0].filters[0].externalAuth.http; h.allowedResponseHeader = h.allowedResponseHeaders; delete h.allowedResponseHeaders; })],
  ["HTTPRoute ExternalAuth bad protocol", mutate("HTTPRoute", (o) => { o.spec.rules[0].filters[0].externalAuth.protocol = "HTTPS"; })],
  ["ReferenceGrant missing to", mutate("ReferenceGrant", (o) => { delete o.spec.to; })],
  ["AuthorizationPolicy typo provider.nam", mutate("AuthorizationPolicy", (o) => { o.spec.provider = { nam: "tessera-grpc" }; })],
  ["AuthorizationPolicy bad action", mutate("AuthorizationPolicy", (o) => { o.spec.action = "EXTERNAL"; })],
  ["Middleware forwardAuth typo authResponseHeader", mutate("Middleware", (o) => { o.spec.forwardAuth.authResponseHeader = o.spec.forwardAuth.authResponseHeaders; delete o.spec.forwardAuth.authResponseHeaders; })],
];
let rejected = 0;
for (const [name, make] of cases) {
  let errs;
  try {
    errs = check(make());
  } catch (e) {
    errs = [`could not build the mutated object: ${e.message}`];
    problems.push(`self-test ${name}: ${errs[0]}`);
  }
  // A rejection must come from the schema, not from a missing one.
  if (errs.length > 0 && !errs.some((e) => e.includes("no schema known"))) rejected++;
  else problems.push(`self-test: validator ACCEPTED a bad object (${name})`);
  if (verbose) console.log(`self-test ${errs.length ? "rejected" : "ACCEPTED"}: ${name}${errs.length ? ` -> ${errs[0]}` : ""}`);
}

const summary = `${objects.length} object(s) from ${KUBERNETES.length + 1} files; ${rejected}/${cases.length} negative self-tests rejected`;
if (problems.length) {
  console.error(`validate-gateways: FAILED (${problems.length} problem(s))`);
  for (const p of problems) console.error(`  ${p}`);
  console.error(`  [${summary}]`);
  process.exit(1);
}
console.log(`validate-gateways: OK — ${summary}`);
