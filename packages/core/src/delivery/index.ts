export {
  DELIVERY_STATUSES,
  canAdvance,
  mergeStatus,
  isFinalStatus,
  statusFromWebhook,
  type DeliveryStatus,
  type WebhookMessageStatus,
} from './delivery-status';
export { SKIP_REASONS, SKIP_REASON_CODES, isSkipReason, describeSkipReason, type SkipReason, type SkipStage } from './skip-reason';
export {
  SERVICE_WINDOW_MS,
  MARKETING_LIMIT_HOLD_MS,
  serviceWindowOpen,
  serviceWindowClosesAt,
  marketingHoldActive,
} from './service-window';
export {
  capWindow,
  capWindowStart,
  capCounterKey,
  type CapPeriod,
  type CapScope,
  type CapWindow,
  type CapCounterKeyInput,
} from './frequency-cap';
export {
  DELIVERY_PRIORITIES,
  allocateQuota,
  compareQuotaCandidates,
  type DeliveryPriority,
  type QuotaCandidate,
  type QuotaState,
  type QuotaAllocation,
} from './allocate-quota';
export { backoffDelay, type BackoffPolicy } from './backoff';
export {
  classifyGraphError,
  type GraphErrorKind,
  type ThrottleScope,
  type GraphErrorInput,
  type GraphErrorClass,
} from './classify-graph-error';
export {
  CALLBACK_METRICS,
  CALLBACK_EVENT_PREFIX,
  CALLBACK_EVENT_NAMES,
  callbackEventName,
  callbackMetricOf,
  callbackEventFor,
  type CallbackMetric,
  type CallbackDelivery,
  type DeliveryChange,
  type CallbackEventProperties,
  type CallbackEvent,
} from './callback-event';
