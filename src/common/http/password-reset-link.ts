/**
 * The password-reset page this service serves (the accounts profile's
 * `GET /v1/users/passwords/validate`), which every profile's reset email links to; no link without
 * a public base URL, since the service cannot know the address its users reach it by.
 */
export function passwordResetLink(publicBaseUrl: string | undefined, token: string): string {
  return publicBaseUrl ? `${publicBaseUrl}/v1/users/passwords/validate?token=${token}` : '';
}
