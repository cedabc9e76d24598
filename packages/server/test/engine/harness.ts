import { taskDefinitionSchema, type TaskDefinitionInput, type TaskState, type PauseMode, type MessageContent } from '@wareach/core';
import { createTestContainer, type Dialect } from '../helpers';
import { ManualClock, systemActor } from '../../src/services/ports';
import { createEngine } from '../../src/worker/engine';
import type { AudienceSource, ChannelGateway, EngineTask, EngineTaskSource, RefreshOutcome } from '../../src/services/dispatcher-ports';
import type { SendContext, SendOutcome } from '../../src/adapters/whatsapp/cloud-api-client';

export const TEMPLATE: MessageContent = { type: 'template', template: { name: 'hello', language: 'en_US', components: [{ type: 'BODY', text: 'Hello' }] }, bindings: {} } as unknown as MessageContent;
export const TEXT = (body: string): MessageContent => ({ type: 'text', body });

/** In-memory stand-ins for the task, audience and channel ports (the engine's own ports, not HTTP). */
export class Harness {
  tasks = new Map<string, EngineTask>();
  audiences = new Map<string, { profileId: string | null; phone: string | null }[]>();
  outside = new Map<string, Set<string>>(); // task → profiles not in the audience (triggered checks)
  refreshResult: RefreshOutcome = { kind: 'not_needed' };
  inbound = new Map<string, number>();
  sent: { to: string; body: Record<string, unknown>; at: number }[] = [];
  failNext: SendOutcome[] = [];
  tierLimit: number | null = null;
  pausedChannels: string[] = [];
  seq = 0;

  taskSource: EngineTaskSource = {
    getTask: async (id) => this.tasks.get(id),
    listActive: async () => [...this.tasks.values()].filter((t) => ['pending_approval', 'approved', 'running', 'paused'].includes(t.state)),
    transition: async (id, action) => {
      const t = this.tasks.get(id);
      if (!t) return false;
      const next: Record<string, Partial<Record<TaskState, TaskState>>> = {
        start: { approved: 'running' }, complete: { running: 'completed' }, end: { approved: 'ended', running: 'ended', paused: 'ended' },
        approval_timeout: { pending_approval: 'cancelled' }, cancel: { approved: 'cancelled', running: 'cancelled', paused: 'cancelled' },
      };
      const to = next[action]?.[t.state];
      if (!to) return false;
      t.state = to;
      return true;
    },
  };
  audience: AudienceSource = {
    iterate: (task, size) => {
      const list = this.audiences.get(task.id) ?? [];
      return (async function* () {
        for (let i = 0; i < list.length; i += size) yield list.slice(i, i + size);
      })();
    },
    inAudience: async (task, profileIds) => new Set(profileIds.filter((id) => !(this.outside.get(task.id)?.has(id) ?? false))),
    refresh: async () => this.refreshResult,
  };
  channels: ChannelGateway = {
    sendContext: async () => ({ kind: 'ready', ctx: { baseUrl: 'http://127.0.0.1:1', version: 'v23.0', accessToken: 't', phoneNumberId: 'pn1' } as SendContext, tierLimit: this.tierLimit }),
    throughputWait: async () => 0,
    send: async (_ctx, body) => {
      const f = this.failNext.shift();
      if (f) return f;
      this.sent.push({ to: String(body.to), body, at: this.clock.now() });
      return { kind: 'accepted', wamid: `wamid.${++this.seq}`, waId: String(body.to).slice(1), attempts: 1 };
    },
    pauseChannel: async (id) => { this.pausedChannels.push(id); },
    mediaIds: async () => ({}),
    lastInboundAtMany: async (phones) => new Map(phones.filter((p) => this.inbound.has(p)).map((p) => [p, this.inbound.get(p)!])),
  };

  constructor(public clock: ManualClock) {}

  addTask(id: string, input: TaskDefinitionInput, state: TaskState = 'approved', pauseMode: PauseMode | null = null): EngineTask {
    const definition = taskDefinitionSchema.parse(input);
    const t = { id, state, pauseMode, definition };
    this.tasks.set(id, t);
    return t;
  }
}

export function taskInput(over: { trigger: TaskDefinitionInput['trigger']; content?: MessageContent; delivery?: Partial<TaskDefinitionInput['delivery']>; audience?: Partial<TaskDefinitionInput['audience']>; name?: string }): TaskDefinitionInput {
  return {
    basic: { name: over.name ?? 'task' },
    audience: (over.audience?.mode && over.audience.mode !== 'segment' ? over.audience : { mode: 'segment', segmentId: 'seg1', ...(over.audience ?? {}) }) as TaskDefinitionInput['audience'],
    trigger: over.trigger,
    delivery: { channelId: 'ch1', phoneNumberId: 'pn1', taskType: 'normal', content: over.content ?? TEMPLATE, globalLimit: false, ...(over.delivery ?? {}) },
  };
}

export async function createEngineHarness(dialect: Dialect = (process.env.WAREACH_ENGINE_TEST_DIALECT as Dialect | undefined) ?? 'sqlite', start = '2026-03-02T00:00:00Z') {
  const clock = new ManualClock(Date.parse(start));
  const tc = await createTestContainer(dialect, { clock });
  await tc.c.project.updateSettings(systemActor, { timezone: 'Asia/Shanghai', channelCap: null, crossChannelCap: null });
  const h = new Harness(clock);
  const engine = createEngine(tc.c, { tasks: h.taskSource, audience: h.audience, channels: h.channels }, { autoStart: false, random: () => 0.5 });
  engine.registerConsumers();
  /** Profiles with a WhatsApp identity, attributes, timezone. */
  async function profiles(list: { id: string; phone?: string; timezone?: string; attributes?: Record<string, unknown> }[]) {
    await tc.c.customerData.upsertProfiles(list.map((p) => ({ id: p.id, ...(p.phone ? { identities: { whatsapp: p.phone } } : {}), ...(p.timezone ? { timezone: p.timezone } : {}), ...(p.attributes ? { attributes: p.attributes } : {}) })));
  }
  async function events(list: { userId: string; name: string; at: string; properties?: Record<string, unknown> }[]) {
    await tc.c.customerData.ingestEvents(list.map((e) => ({ userId: e.userId, name: e.name, time: e.at, properties: e.properties ?? {} })));
  }
  async function deliveries(taskId: string) {
    return tc.c.db.selectFrom('deliveries').selectAll().where('task_id', '=', taskId).orderBy('recipient').execute();
  }
  return {
    h, clock, engine, c: tc.c, profiles, events, deliveries,
    settings: (patch: Record<string, unknown>) => tc.c.project.updateSettings(systemActor, patch),
    /** Moves the clock and runs everything due. */
    async at(iso: string) {
      clock.set(iso);
      await engine.step();
    },
    async close() {
      await engine.close();
      await tc.close();
    },
  };
}
