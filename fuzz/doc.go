// Package fuzz is the contract fuzzer: rapid properties built from the
// catalog (through package generators), run against the embedded emulator
// or an endpoint, with every failure shrunk by rapid and written as a replay
// file.
//
// # Dialects
//
// One runner (Run), one shrinking and replay path (rapid, then minimize for
// sequences; ReplayFile; Dialect.Replay), one report (Report) and one seed
// scheme for shards (ShardSeeds) serve every dialect through a small
// adapter, Dialect (DialectByKey): its catalog, the kinds of properties it
// has, how a round's property signs and sends (Target.Client for API 3.0 —
// service and version of the product —, Target.ACS for ACS REST), which
// generators it draws from and which stateful model checks sequences.
//
//   - tencent-batch and oceanus share Suite (the API 3.0 stateless
//     properties below) with a per-dialect api3Profile: the setup, the
//     resources destructive valid cases get of their own, read-backs, and
//     the stateful model (stateful.go: Batch; oceanus.go: the Oceanus job
//     lifecycle of reference §B.3 — create, config versions, run, stop and
//     pause, delete, copy, describe, listings, clock advances — with the
//     items model/property/stateful, transitions and total-count). Oceanus
//     has no signature or secret property items, so those kinds do not run
//     for it; its valid-accepted allows any code the action documents
//     except a malformed-request code (the catalog's reading: generated
//     valid requests name resources the generator cannot know).
//   - alibaba-batchcompute (ACS, acs.go): valid-accepted, one-violation and
//     signature-faults from the REST generator, and the model of acs_model.go
//     (DAG jobs, clusters, images, IdempotentToken, StopJob/StartJob/DeleteJob/
//     ChangeJobPriority by state, Marker paging with State filters). Its
//     catalog has no model items yet: the model names its items
//     alibaba-batchcompute/model/property/<detail> and Report gives them a
//     verdict labelled not-in-catalog.
//
// Every embedded run serves each case (a stateless round, a sequence, a
// replay while minimizing) as a fresh tenant of one emulator (simulated
// executor, manual clock): as private as a fresh emulator, and cheap enough
// for rapid's shrinking. Against an endpoint (--endpoint) the clients go
// through the harness's transport (deadline, client rate limit); counts are
// not compared (the tenant is shared), and what the run created is deleted
// at its end (Endpoint.Cleanup).
//
// # Properties (catalog items of kind property)
//
// Stateless, one request per case:
//   - <Action>/property/valid-accepted: a request satisfying every rule
//     (random enum and xor choices, optional structures made to exist,
//     boundary lengths and bounds) is accepted, or refused only with a
//     documented state/configuration code of the action (or an API 3.0
//     common state code). A created resource is read back at once.
//   - <Action>/property/one-violation: a valid request with exactly one rule
//     broken (random rule, random bad value of its class) answers exactly
//     the rule's documented code (generators.ExpectedCode).
//   - auth/property/signature-faults: a tampered body, header or query, a
//     wrong key, a skewed timestamp, a wrong scope date or service answers
//     the documented AuthFailure code.
//   - api/property/secrets-not-echoed: a secret placed in a request never
//     appears in the response, unless the action's output documents a
//     secret member.
//   - api/property/no-server-error, checked on every response of every
//     property: no HTTP 5xx, no InternalError, no malformed envelope, no
//     error outside HTTP 200, no body that breaks the documented schema
//     (fixtures.Catalog.CheckResponse).
//
// Stateful (model/property/…), rapid's T.Repeat over create/modify/
// describe/delete of compute environments, submit/describe/terminate/
// retry/delete of jobs, task-instance termination, template CRUD, list
// pages and clock advances, each checked against a model: ids-unique,
// describe-reflects, transitions (a move observed within the endpoint's hold
// time must be one documented transition, a longer gap a documented path;
// terminal states stay terminal unless the job was retried),
// deleted-not-found (the action's documented ResourceNotFound code),
// total-count, pagination (pages partition the set) and client-token. Each
// case gets a fresh embedded emulator (simulated executor, manual clock),
// so a seed replays exactly; against an endpoint there is no clock to move
// and counts are not compared (its tenant is shared).
//
// # Determinism
//
// A run is a sequence of rounds; each round is one rapid.Check of one
// property with seed Seed+i. The same seed (and the same catalog and target)
// gives the same cases. Under `go test` the package's tests pin rapid's
// seed unless -rapid.seed/RAPID_SEED is given, and rapid's failfiles
// (testdata/rapid/<Test>/…) replay first, as usual.
//
// # Replay files (format "batchconform-replay/1")
//
// Each finding of `batchconform fuzz` is written to
// <out>/replay-<property item with / as _>-<seed>.json, secrets redacted
// (redact.String over the whole file):
//
//	{
//	  "format": "batchconform-replay/1",
//	  "dialect": "tencent-batch",
//	  "property": "<the catalog property item that failed>",
//	  "kind": "stateless" | "stateful",
//	  "seed": <the round's rapid seed>,
//	  "target": "embedded" | "<endpoint URL>",
//	  "faults": ["<emulator faults on when found>"],
//	  "found": "<RFC3339>", "found_after_seconds": 1.2, "shrink_seconds": 0.3,
//	  "expectation": "<the expectation that failed, with what was seen>",
//	  "steps": [ <the shrunk case> ]
//	}
//
// A step is {"op", "action", "request", "args"}:
//   - stateless: op is valid, violation, signature or secret; action and
//     request are the request sent (the JSON body); args hold the rule and
//     code (violation), the signature fault (signature), the secret's
//     path (secret: the value there is redacted in the file, so a replay
//     checks that the placeholder is not echoed)
//     and the refs (IDs of the resources the request referred to: a replay
//     creates them afresh and substitutes the new IDs).
//   - stateful: op is one of the dialect's model operations — Tencent
//     Batch: create-env, modify-env, describe-env, delete-env, submit,
//     describe-job, terminate-job, retry-job, delete-job,
//     terminate-instance, create-tmpl, modify-tmpl, delete-tmpl, list-jobs,
//     list-envs, list-tmpls, describe-unknown, advance; Oceanus: create-job,
//     create-config, list-configs, run, stop, delete, copy, describe,
//     describe-unknown, list, advance; Alibaba: create-cluster, get-cluster,
//     delete-cluster, create-job, get-job, get-description, stop-job,
//     start-job, delete-job, change-priority, create-image, get-image,
//     delete-image, list-jobs, list-clusters, list-images, advance —; args
//     are the operation's arguments, resources referred to by creation index
//     ("idx"), so the sequence replays on an endpoint whose IDs differ;
//     "sent" lists the requests the operation sent ({"action", "request",
//     "code"}, at most 20 per step), for reading (dropped when minimize
//     removed steps: a replay re-derives them).
//   - ACS stateless steps: args are {"rule", "broken"} (violation), {"rule",
//     "at_max"} (valid at a bound) or {"fault"} (signature).
//
// `batchconform replay FILE [target flags]` re-runs the steps against the
// target (a fresh embedded emulator by default, with the --fault flags
// given) and checks every expectation again: exit 1 while one fails, 0 when
// all hold, 2 on bad usage. A stateless case that depended on what earlier
// cases of its round created may not reproduce on its own (creates are read
// back at once so their schema failures are self-contained).
package fuzz
