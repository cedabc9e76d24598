import type { Generated } from 'kysely';

/**
 * Tables of the WhatsApp channel area: channels and their phone numbers, synced templates, uploaded
 * media and their per-number Meta media ids, the webhook inbox, 24-hour service windows and test sends.
 * Same conventions as the foundation: epoch-ms bigint times, 0/1 integers, JSON as text.
 */
export interface WhatsappChannelsTable {
  id: string;
  name: string;
  waba_id: string;
  /** Sealed with the secret box (adapters/crypto.ts); never leaves the server in clear. */
  access_token_enc: string;
  app_secret_enc: string;
  verify_token_enc: string;
  base_url: string;
  api_version: string;
  status: string; // active | paused
  paused_reason: string | null;
  paused_at: number | null;
  /** 1 for the built-in sandbox channel that `npm start` maintains. */
  sandbox: number;
  created_at: number;
  updated_at: number;
}

export interface WhatsappPhoneNumbersTable {
  channel_id: string;
  phone_number_id: string;
  display_number: string;
  /** Messages per second the number may send (Meta: 80 by default, 1,000 when upgraded). */
  throughput: number;
  tier: string; // TIER_250 | TIER_2K | TIER_1K | TIER_10K | TIER_100K | TIER_UNLIMITED
  position: number;
}

export interface WhatsappTemplatesTable {
  id: string;
  channel_id: string;
  meta_id: string | null;
  name: string;
  language: string;
  status: string;
  category: string | null;
  parameter_format: string | null;
  components: string; // JSON array, as Meta returns it
  rejected_reason: string | null;
  quality_score: string | null;
  created_at: number;
  updated_at: number;
  synced_at: number | null;
}

export interface MediaFilesTable {
  id: string;
  sha256: string;
  mime_type: string;
  kind: string; // image | video | audio | document | sticker
  size: number;
  filename: string | null;
  created_by: string | null;
  created_at: number;
}

export interface MediaUploadsTable {
  sha256: string;
  channel_id: string;
  phone_number_id: string;
  meta_media_id: string;
  uploaded_at: number;
  expires_at: number;
}

export interface WebhookInboxTable {
  id: Generated<number>;
  channel_id: string;
  received_at: number;
  body: string;
  state: string; // pending | processing | done | failed
  attempts: number;
  available_at: number;
  claimed_by: string | null;
  claimed_at: number | null;
  processed_at: number | null;
  last_error: string | null;
}

export interface ServiceWindowsTable {
  phone: string; // E.164 with +
  last_inbound_at: number;
}

export interface TestSendsTable {
  id: string;
  actor_type: string;
  actor_id: string | null;
  channel_id: string;
  phone_number_id: string;
  content: string; // JSON
  recipient: string;
  wamid: string | null;
  state: string; // failed | accepted | sent | delivered | read
  error_code: string | null;
  error_title: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  delivered_at: number | null;
  read_at: number | null;
  failed_at: number | null;
}

export interface ChannelTables {
  whatsapp_channels: WhatsappChannelsTable;
  whatsapp_phone_numbers: WhatsappPhoneNumbersTable;
  whatsapp_templates: WhatsappTemplatesTable;
  media_files: MediaFilesTable;
  media_uploads: MediaUploadsTable;
  webhook_inbox: WebhookInboxTable;
  service_windows: ServiceWindowsTable;
  test_sends: TestSendsTable;
}
