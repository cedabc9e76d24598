export { createSandbox } from './sandbox';
export type { Sandbox, SandboxOptions, ConversationSummary, ConversationView, ConversationMessage } from './sandbox';
export { sandboxPlugin } from './http/sandbox-plugin';
export type { SandboxPluginOptions } from './http/sandbox-plugin';
export { startSandboxServer } from './http/start-sandbox-server';
export type { SandboxServer } from './http/start-sandbox-server';
export {
  defaultSandboxConfig,
  DEFAULT_ACCESS_TOKEN,
  DEFAULT_APP_SECRET,
  DEFAULT_PHONE_NUMBER_ID,
  DEFAULT_WABA_ID,
} from './config/sandbox-config';
export type {
  SandboxConfig,
  SandboxConfigPatch,
  FaultConfig,
  WabaConfig,
  PhoneNumberConfig,
  WebhookDeliveryConfig,
  LogConfig,
  TemplateConfig,
} from './config/sandbox-config';
export { createManualTime, createSystemScheduler, systemClock } from './shared/time';
export type { Clock, Scheduler, TimerHandle, ManualTime } from './shared/time';
export { signWebhookBody } from './webhooks/webhook-dispatcher';
export type { WebhookStats, WebhookAttempt, SandboxLogger } from './webhooks/webhook-dispatcher';
export type { InboxAction, InboxActionResult } from './inbox/inbox-actions';
export type { RenderModel, RenderButton, RenderMedia } from './render/render-message';
export type { LogEntry, LogSummary, DeliveryStatus } from './log/message-log';
export type { Template, TemplateComponent, TemplateButton } from './templates/template-model';
export { SAMPLE_TEMPLATES } from './templates/sample-templates';
export { META_ERRORS } from './graph/graph-error';
export type { GraphReply } from './core/sandbox-context';
export type { SendInput } from './core/send-message';
export type { UploadInput } from './core/graph-objects';
export type { StoredMedia } from './media/media-store';
