import { createTemplate, TEMPLATE_ENV } from './database';

export default async function globalSetup(): Promise<void> {
  if (!process.env[TEMPLATE_ENV]) process.env[TEMPLATE_ENV] = await createTemplate();
}
