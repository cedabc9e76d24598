import type { Container } from '../../app/container';
import type { App } from '../types';
import { authRoutes } from './auth';
import { customerRoutes } from './customers';
import { healthRoutes } from './health';
import { projectRoutes } from './project';

/** Every route module, in one list. A new area adds its module here. */
export async function registerRoutes(app: App, c: Container): Promise<void> {
  await healthRoutes(app, c);
  await authRoutes(app, c);
  await customerRoutes(app, c);
  await projectRoutes(app, c);
}
