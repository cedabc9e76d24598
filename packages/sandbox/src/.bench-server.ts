import { startSandboxServer } from './index';
const s = await startSandboxServer({ port: Number(process.argv[2] ?? 47123), options: { defaultWebhookUrl: process.argv[3], faults: { statusDelays: { sentMs: 10, deliveredMs: 50, readMs: 100 } } } });
process.stdout.write(`ready ${s.url}\n`);
process.on('SIGTERM', () => { void s.close().then(() => process.exit(0)); });
process.on('SIGINT', () => { void s.close().then(() => process.exit(0)); });
