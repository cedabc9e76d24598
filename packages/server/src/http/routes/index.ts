import type { Container } from '../../app/container';
import type { App } from '../types';
import { analyticsRoutes } from './analytics';
import { authRoutes } from './auth';
import { channelRoutes } from './channels';
import { customerRoutes } from './customers';
import { healthRoutes } from './health';
import { mediaRoutes } from './media';
import { messageRoutes } from './messages';
import { projectRoutes } from './project';
import { templateRoutes } from './templates';
import { webhookRoutes } from './webhooks';
import { runRoutes } from './runs';
import { segmentRoutes } from './segments';
import { taskRoutes } from './tasks';

/** Every route module, in one list. A new area adds its module here. */
export async function registerRoutes(app: App, c: Container): Promise<void> {
  await healthRoutes(app, c);
  await authRoutes(app, c);
  await customerRoutes(app, c);
  await projectRoutes(app, c);
  await channelRoutes(app, c);
  await templateRoutes(app, c);
  await mediaRoutes(app, c);
  await messageRoutes(app, c);
  await webhookRoutes(app, c);
  await runRoutes(app, c);
  await analyticsRoutes(app, c);
  await segmentRoutes(app, c);
  await taskRoutes(app, c);
}
