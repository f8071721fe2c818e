import * as fs from 'node:fs';
import * as path from 'node:path';

/** A JSON schema as @nestjs/swagger writes it (the subset the generators read). */
export interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  example?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
}

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI path template, e.g. /rest/v2/user/{userId}. */
  path: string;
  pathParams: string[];
  query: { name: string; schema: Schema }[];
  headers: { name: string; schema: Schema }[];
  body?: Schema;
  id: string;
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId?: string;
        parameters?: { in: string; name: string; schema?: Schema }[];
        requestBody?: { content?: Record<string, { schema?: Schema }> };
      }
    >
  >;
  components?: { schemas?: Record<string, Schema> };
}

/** The committed OpenAPI document (CI checks it equals what the app serves at /api-json). */
export function loadOpenApi(): { operations: Operation[]; resolve: (s: Schema) => Schema } {
  const doc = JSON.parse(fs.readFileSync(path.join(__dirname, '../../openapi.json'), 'utf8')) as OpenApiDocument;
  const schemas = doc.components?.schemas ?? {};
  const resolve = (s: Schema): Schema => (s.$ref ? resolve(schemas[s.$ref.split('/').pop()!] ?? {}) : s);
  const operations: Operation[] = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(item)) {
      const method = m.toUpperCase() as Operation['method'];
      if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) continue;
      const params = op.parameters ?? [];
      operations.push({
        method,
        path: p,
        pathParams: [...p.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]),
        query: params.filter((x) => x.in === 'query').map((x) => ({ name: x.name, schema: x.schema ?? {} })),
        headers: params.filter((x) => x.in === 'header').map((x) => ({ name: x.name, schema: x.schema ?? {} })),
        body: op.requestBody?.content?.['application/json']?.schema,
        id: op.operationId ?? `${method} ${p}`,
      });
    }
  }
  return { operations, resolve };
}
