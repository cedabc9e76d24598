import { startSandboxServer } from '@wareach/sandbox';
const s = await startSandboxServer({ options: { accessTokens: ['tok'], appSecret: 'sec', faults: { throughputPerSecond: 0 }, log: { recentPerConversation: 1, maxStoredMessages: 1000 } } });
process.stdout.write(JSON.stringify({ url: s.url }) + '\n');
