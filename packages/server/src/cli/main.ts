#!/usr/bin/env -S npx tsx
/* The `wareach` command. Output here is for a person at a terminal, so it prints plainly; everything
   the running server and worker say goes through the structured logger. */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config/config';
import { createContainer } from '../app/container';
import { bootstrap } from '../app/bootstrap';
import { startCommand } from './start';

const USAGE = `wareach <command> [options]

Commands:
  start            migrate, seed demo data on an empty database, run API + worker + console + sandbox (npm start)
  serve            run the HTTP API only (scale-out: any number of these)
  worker           run a worker only (scale-out: any number of these)
  migrate          apply database migrations and exit
  sandbox --port N run the WhatsApp sandbox alone
  demo             seed demo data into the configured database and exit

Configuration comes from WAREACH_* environment variables; see .env.example.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return command ? 0 : 1;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(e.message + '\n');
      return 78;
    }
    throw e;
  }
  switch (command) {
    case 'migrate': {
      const c = createContainer(config);
      const r = await bootstrap(c);
      process.stdout.write(`database is up to date (${c.database.dialect})${r.createdAdmin ? `; created admin ${r.adminEmail}` : ''}\n`);
      await c.close();
      return 0;
    }
    case 'demo': {
      const c = createContainer(config);
      await bootstrap(c);
      const { seedDemoData } = await import('../services/demo-data');
      const r = await seedDemoData(c.customerData, c.clock);
      process.stdout.write(`seeded ${r.profiles} profiles and ${r.events} events\n`);
      await c.close();
      return 0;
    }
    case 'start':
    case 'serve':
    case 'worker':
    case 'sandbox': {
      const { values } = parseArgs({ args: rest, options: { port: { type: 'string' }, host: { type: 'string' } }, allowPositionals: false });
      return startCommand(command, config, { port: values.port ? Number(values.port) : undefined, host: values.host });
    }
    default:
      process.stderr.write(`unknown command ${command}\n\n${USAGE}\n`);
      return 64;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== -1) process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`wareach: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
