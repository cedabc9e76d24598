process.env.BENCH_RECIPIENTS ??= '20000';
const m = await import('../../../../../bench/broadcast');
const sup = await import('../../../../../bench/engine-bench-support');
const sbx = await sup.startSandboxChild();
// @ts-ignore
const r = await (m as any).scaleOutForExp(sbx.url);
console.log(r);
sbx.close();
