/**
 * A response body with the type the route documents (supertest types every body as `any`), so a
 * test that misreads a field fails to compile instead of asserting on `undefined`.
 */
export function body<T>(res: { body: unknown }): T {
  return res.body as T;
}
