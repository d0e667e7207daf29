// Interop: the official aliyun-sdk (npm) BatchCompute client, API 2015-11-11,
// driving a batchconform emulator (or any BatchCompute endpoint). Run by
// interop/alibaba_test.go; by hand:
//
//   (cd interop/node/aliyun && npm ci)
//   BC_ENDPOINT=http://127.0.0.1:9000 BC_ACCESS_KEY_ID=AKIDdemo BC_ACCESS_KEY_SECRET=demokey node interop/node/alibaba.js
//
// It creates a cluster, submits a DAG job (one task on the cluster, one on an
// AutoCluster), watches it finish, lists its tasks and instances, and checks
// the documented errors for a cyclic DAG, an unknown job and a wrong
// AccessKeySecret. Every step prints one JSON line {"step","ok",...}; the
// process exits 1 if any check failed. The SDK's quirks this meets (signs with
// x-acs-date, not Date; sends JSON as text/plain;charset=UTF-8; reads errors'
// Code and Message only) are the readings the catalog records.
'use strict';

const path = require('path');
const { createRequire } = require('module');

// aliyun-sdk is installed in its own npm project (interop/node/aliyun).
const sdkRequire = createRequire(path.join(__dirname, 'aliyun', 'package.json'));
const ALY = sdkRequire('aliyun-sdk');
// lib/services.js leaves BatchCompute out of the default bundle.
sdkRequire('aliyun-sdk/lib/services/batchcompute');

const endpoint = process.env.BC_ENDPOINT;
const id = process.env.BC_ACCESS_KEY_ID;
const secret = process.env.BC_ACCESS_KEY_SECRET;
if (!endpoint || !id || !secret) {
  console.error('set BC_ENDPOINT, BC_ACCESS_KEY_ID and BC_ACCESS_KEY_SECRET');
  process.exit(2);
}

function client(key) {
  return new ALY.BatchCompute({ accessKeyId: id, secretAccessKey: key, endpoint, apiVersion: '2015-11-11' });
}
const bc = client(secret);

// call wraps an SDK method in a promise: {err, data} (never rejects).
function call(c, op, params) {
  return new Promise((resolve) => {
    c[op](params, (err, data) => resolve({ err, data }));
  });
}

let failed = 0;
function report(step, ok, extra) {
  if (!ok) failed++;
  console.log(JSON.stringify(Object.assign({ step, ok }, extra || {})));
}
function errInfo(err) {
  return err ? { code: err.code, status: err.statusCode, message: err.message, requestId: err.requestId } : null;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function poll(label, fn, done, timeoutMs) {
  const until = Date.now() + (timeoutMs || 60000);
  const seen = [];
  for (;;) {
    const v = await fn();
    const s = v && v.State;
    if (s && seen[seen.length - 1] !== s) seen.push(s);
    if (done(v)) return { v, seen };
    if (Date.now() > until) return { v, seen, timeout: true };
    await sleep(20);
  }
}

function task(extra) {
  return Object.assign({
    InstanceCount: 2, MaxRetryCount: 0, Timeout: 600,
    Parameters: {
      Command: { CommandLine: 'echo hello', PackagePath: '' },
      StdoutRedirectPath: 'oss://interop/logs/', StderrRedirectPath: 'oss://interop/logs/',
    },
  }, extra);
}

async function main() {
  // 1. A cluster (seed 001's shape) whose group boots to Running.
  const cl = await call(bc, 'createCluster', {
    Name: 'interop-cluster', Description: 'aliyun-sdk interop', InstanceType: 'ecs.sn1ne.large', ImageId: 'img-ubuntu',
    // The SDK's parameter validator refuses SpotStrategy and SpotPriceLimit in a
    // group (its API JSON lacks them), though seed 001 documents both.
    Groups: { group1: { DesiredVMCount: 1, InstanceType: '', ResourceType: 'OnDemand' } },
  });
  const clusterId = cl.data && cl.data.data && cl.data.data.Id;
  report('createCluster', !cl.err && cl.data.code === 201 && /^cls-/.test(clusterId || ''),
    { status: cl.data && cl.data.code, id: clusterId, err: errInfo(cl.err) });
  if (!clusterId) return;
  const up = await poll('cluster', async () => {
    const r = await call(bc, 'getCluster', { ClusterId: clusterId });
    return r.data && r.data.data;
  }, (c) => c && c.Groups && c.Groups.group1 && c.Groups.group1.ActualVMCount === 1);
  report('getCluster-running', !up.timeout, { groups: up.v && up.v.Groups });

  // 2. A DAG job: split (on the cluster) -> count (AutoCluster).
  const job = {
    Name: 'interop-dag', Description: 'aliyun-sdk interop', Priority: 1, Type: 'DAG', JobFailOnInstanceFail: true, AutoRelease: false,
    DAG: {
      Tasks: {
        split: task({ ClusterId: clusterId }),
        count: task({ AutoCluster: { InstanceType: 'ecs.sn1ne.large', ImageId: 'img-ubuntu' } }),
      },
      Dependencies: { split: ['count'] },
    },
  };
  const cj = await call(bc, 'createJob', job);
  const jobId = cj.data && cj.data.data && cj.data.data.Id;
  report('createJob', !cj.err && cj.data.code === 201 && !!jobId, { status: cj.data && cj.data.code, id: jobId, err: errInfo(cj.err) });
  if (!jobId) return;
  const fin = await poll('job', async () => {
    const r = await call(bc, 'getJob', { JobId: jobId });
    return r.data && r.data.data;
  }, (j) => j && (j.State === 'Finished' || j.State === 'Failed' || j.State === 'Stopped'));
  report('getJob-finished', !fin.timeout && fin.v.State === 'Finished' && fin.v.InstanceMetrics.FinishedCount === 4,
    { states: fin.seen, metrics: fin.v && fin.v.InstanceMetrics });

  // 3. Its tasks and instances.
  const lt = await call(bc, 'listTasks', { JobId: jobId, Marker: '', MaxItemCount: 10 });
  const tasks = (lt.data && lt.data.data && lt.data.data.Items) || [];
  report('listTasks', !lt.err && tasks.length === 2 && tasks.every((t) => t.State === 'Finished'),
    { tasks: tasks.map((t) => [t.TaskName, t.State]), err: errInfo(lt.err) });
  const li = await call(bc, 'listInstances', { JobId: jobId, TaskName: 'split', Marker: '', MaxItemCount: 1 });
  const page = li.data && li.data.data;
  report('listInstances-page', !li.err && page.Items.length === 1 && page.NextMarker !== '',
    { items: page && page.Items.length, next: page && page.NextMarker, err: errInfo(li.err) });
  const li2 = await call(bc, 'listInstances', { JobId: jobId, TaskName: 'split', Marker: page ? page.NextMarker : '', MaxItemCount: 1 });
  const page2 = li2.data && li2.data.data;
  report('listInstances-last-page', !li2.err && page2.Items.length === 1 && page2.NextMarker === '' && page2.Items[0].State === 'Finished',
    { items: page2 && page2.Items, err: errInfo(li2.err) });
  const gd = await call(bc, 'getJobDescription', { JobId: jobId });
  report('getJobDescription', !gd.err && gd.data.data.Name === 'interop-dag' && !!gd.data.data.DAG.Tasks.split, { err: errInfo(gd.err) });

  // 4. Documented errors.
  const cyc = JSON.parse(JSON.stringify(job));
  cyc.Name = 'interop-cyclic';
  cyc.DAG.Dependencies = { split: ['count'], count: ['split'] };
  const ce = await call(bc, 'createJob', cyc);
  report('cyclic-dag', !!ce.err && ce.err.statusCode === 400 && ce.err.code === 'BadDAG', { err: errInfo(ce.err) });
  const nf = await call(bc, 'getJob', { JobId: 'job-0000000000000000000000000000000D' });
  report('unknown-job', !!nf.err && nf.err.statusCode === 404 && nf.err.code === 'InvalidResource.NotFound', { err: errInfo(nf.err) });
  const ws = await call(client(secret + 'x'), 'listJobs', { Marker: '', MaxItemCount: 1 });
  report('wrong-secret', !!ws.err && ws.err.statusCode === 400 && ws.err.code === 'InvalidSignature', { err: errInfo(ws.err) });

  // 5. Clean up.
  const dj = await call(bc, 'deleteJob', { JobId: jobId });
  report('deleteJob', !dj.err && dj.data.code === 204, { err: errInfo(dj.err) });
  const dc = await call(bc, 'deleteCluster', { ClusterId: clusterId });
  report('deleteCluster', !dc.err && dc.data.code === 204, { err: errInfo(dc.err) });
}

main().then(() => process.exit(failed ? 1 : 0), (e) => {
  console.error(e && e.stack || e);
  process.exit(1);
});
