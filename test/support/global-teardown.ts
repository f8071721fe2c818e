import { dropTemplate, TEMPLATE_ENV } from './database';

export default async function globalTeardown(): Promise<void> {
  const t = process.env[TEMPLATE_ENV];
  if (t) {
    await dropTemplate(t);
    delete process.env[TEMPLATE_ENV];
  }
}
