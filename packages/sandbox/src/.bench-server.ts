import { startSandboxServer } from './index';
const s = await startSandboxServer({ port: Number(process.argv[2] ?? 47123), options: { ...(process.argv[3] ? { defaultWebhookUrl: process.argv[3] } : {}), faults: { statusDelays: { sentMs: 10, deliveredMs: 50, readMs: 100 } } } });
process.stdout.write(`ready ${s.url}\n`);
let last = process.cpuUsage(); let lastCount = 0;
setInterval(() => {
  const now = process.cpuUsage(last); last = process.cpuUsage();
  const count = s.sandbox.summary().messages.accepted; const d = count - lastCount; lastCount = count;
  if (d > 0) process.stdout.write(`accepted +${d}: cpu ${((now.user + now.system) / d).toFixed(1)} us/msg (user ${(now.user/d).toFixed(1)}, sys ${(now.system/d).toFixed(1)}) webhooks=${JSON.stringify(s.sandbox.webhookStats().itemsDelivered)}\n`);
}, 5000).unref();
process.on('SIGTERM', () => { void s.close().then(() => process.exit(0)); });
